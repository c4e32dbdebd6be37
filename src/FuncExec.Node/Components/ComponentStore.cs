using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using FuncExec.Protocol.V1;

namespace FuncExec.Node.Components;

/// <summary>
/// Files tasks need, stored once per content: <c>ROOT/&lt;sha256&gt;/&lt;file name&gt;</c>, with the files that
/// travel with it beside it (<c>ROOT/&lt;sha256&gt;/runtimes/linux-x64/native/libe_sqlite3.so</c>).
/// </summary>
/// <remarks>Writes go to a temporary name and are renamed into place, so a reader never
/// sees half a file and two writers of the same content do not clash.</remarks>
public sealed class ComponentStore
{
    /// <summary>Opens (and creates) the store at <paramref name="root"/>.</summary>
    public ComponentStore(string root)
    {
        Root = root;
        Directory.CreateDirectory(root);
    }

    /// <summary>The store's directory.</summary>
    public string Root { get; }

    /// <summary>The default store for this user.</summary>
    public static string DefaultRoot => Path.Combine(Path.GetTempPath(), $"funcexec-{Environment.UserName}", "components");

    /// <summary>Stores <paramref name="content"/> under <paramref name="fileName"/> unless it is there already.</summary>
    public ComponentRef Put(ReadOnlySpan<byte> content, string fileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        var component = new ComponentRef { Sha256 = sha, FileName = Path.GetFileName(fileName) };
        var path = PathOf(component);
        if (!File.Exists(path))
        {
            var temp = TemporaryNameFor(path);
            File.WriteAllBytes(temp, content);
            File.Move(temp, path, overwrite: true);
        }

        return component;
    }

    /// <summary>Stores the file at <paramref name="path"/>.</summary>
    public ComponentRef PutFile(string path) => Put(File.ReadAllBytes(path), Path.GetFileName(path));

    /// <summary>
    /// Stores the assembly at <paramref name="path"/> together with what it needs from beside it, so it loads on a
    /// node the way it loads here: with a <c>NAME.deps.json</c> beside it, the managed and native files that lists
    /// for this platform, and the file itself, under their paths relative to the assembly; without one, the
    /// assemblies it references that sit beside it (transitively).
    /// </summary>
    /// <remarks>FuncExec's own assemblies, what they use, and the framework stay behind: every worker has them.</remarks>
    /// <exception cref="BadImageFormatException">The file is not a .NET assembly.</exception>
    /// <exception cref="InvalidDataException">Its <c>NAME.deps.json</c> cannot be read.</exception>
    public ComponentRef PutAssembly(string path)
    {
        var content = File.ReadAllBytes(path);
        var source = Path.GetDirectoryName(Path.GetFullPath(path))!;
        // Walked either way: it is what refuses a file that is not an assembly.
        IReadOnlyList<string> dependencies = LocalDependencies(path);
        if (File.Exists(DependencyManifest.PathOf(path)))
        {
            dependencies = DependencyManifest.Assets(path, WorkerHas, DependencyManifest.CurrentRids);
        }

        var component = Put(content, Path.GetFileName(path));
        var directory = Path.GetDirectoryName(PathOf(component))!;
        var targets = ComponentPath.Resolve(directory, dependencies);
        for (var i = 0; i < targets.Count; i++)
        {
            if (!File.Exists(targets[i]))
            {
                var temp = TemporaryNameFor(targets[i]);
                File.Copy(Path.Combine(source, dependencies[i]), temp);
                File.Move(temp, targets[i], overwrite: true);
            }
        }

        return component;
    }

    /// <summary>
    /// The files of a stored component: the main file first, then what travels with it, each named by its path
    /// in the component's folder (<c>runtimes/linux-x64/native/libe_sqlite3.so</c>).
    /// </summary>
    public IReadOnlyList<(string Name, byte[] Content)> ReadBundle(ComponentRef component)
    {
        var main = PathOf(component);
        var directory = Path.GetDirectoryName(main)!;
        var files = new List<(string, byte[])> { (component.FileName, File.ReadAllBytes(main)) };
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            var name = ComponentPath.NameOf(directory, file);
            if (name != component.FileName && !name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                files.Add((name, File.ReadAllBytes(file)));
            }
        }

        return files;
    }

    /// <summary>
    /// Stores a component received from elsewhere, after checking the main file's hash, every file's size, and
    /// every file's name: a relative path that stays inside the component's folder.
    /// </summary>
    /// <exception cref="InvalidDataException">The content does not match the hash, a file is over
    /// <paramref name="maxFileSize"/>, or a name is absolute, has a <c>..</c> segment or otherwise leaves the folder
    /// (the message names it).</exception>
    public void PutBundle(ComponentRef component, IReadOnlyList<(string Name, ReadOnlyMemory<byte> Content)> files, long maxFileSize)
    {
        ArgumentNullException.ThrowIfNull(component);
        ArgumentNullException.ThrowIfNull(files);
        foreach (var (name, content) in files)
        {
            if (content.Length > maxFileSize)
            {
                throw new InvalidDataException(
                    $"component file {name} is {content.Length:N0} bytes, over this node's --max-file-size of {maxFileSize:N0}");
            }
        }

        if (component.FileName.Length == 0 || component.FileName != Path.GetFileName(component.FileName))
        {
            throw new InvalidDataException($"component name '{component.FileName}' is not a plain file name");
        }

        var main = files.FirstOrDefault(f => f.Name == component.FileName);
        if (main.Name is null || Convert.ToHexStringLower(SHA256.HashData(main.Content.Span)) != component.Sha256)
        {
            throw new InvalidDataException($"component {component.FileName} does not match its hash {component.Sha256}");
        }

        var directory = Path.GetDirectoryName(PathOf(component))!;
        var targets = ComponentPath.Resolve(directory, files.Select(f => f.Name));
        for (var i = 0; i < targets.Count; i++)
        {
            if (!File.Exists(targets[i]))
            {
                var temp = TemporaryNameFor(targets[i]);
                File.WriteAllBytes(temp, files[i].Content.Span);
                File.Move(temp, targets[i], overwrite: true);
            }
        }
    }

    /// <summary>
    /// Puts every file of <paramref name="components"/> (each with the files stored beside it) into
    /// <paramref name="folder"/> under its own name, as links into the store.
    /// </summary>
    /// <returns>The components that are not stored here (refused on arrival, e.g. over the size cap).</returns>
    public IReadOnlyList<ComponentRef> Materialize(IEnumerable<ComponentRef> components, string folder)
    {
        ArgumentNullException.ThrowIfNull(components);
        Directory.CreateDirectory(folder);
        var missing = new List<ComponentRef>();
        foreach (var component in components)
        {
            if (!Contains(component))
            {
                missing.Add(component);
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(PathOf(component))!))
            {
                var target = Path.Combine(folder, Path.GetFileName(file));
                if (!file.EndsWith(".tmp", StringComparison.Ordinal) && !File.Exists(target))
                {
                    File.CreateSymbolicLink(target, file);
                }
            }
        }

        return missing;
    }

    /// <summary>Removes a folder <see cref="Materialize"/> filled; the store keeps the files.</summary>
    public static void DeleteFolder(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Whether a component is stored here.</summary>
    public bool Contains(ComponentRef component) => File.Exists(PathOf(component));

    /// <summary>Where a stored component lives.</summary>
    public string PathOf(ComponentRef component)
    {
        ArgumentNullException.ThrowIfNull(component);
        return Path.Combine(Root, component.Sha256, component.FileName);
    }

    /// <summary>Assemblies every worker has (FuncExec's own and what they use): a job that references
    /// them gets the worker's copy, so they need not travel (Roslyn alone is megabytes).</summary>
    /// <remarks>FuncExec's own by exact name: a user's assembly may be called FuncExec.Something too.</remarks>
    private static bool WorkerHas(string name) =>
        name is "FuncExec.Core" or "FuncExec.Protocol" or "FuncExec.Client" or "FuncExec.Scheduler" or "FuncExec.Node"
            or "FuncExec.Worker" or "FuncExec.Server" or "FuncExec.Cli" or "FuncExec.Dashboard"
        || name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal)
        || name is "Google.Protobuf" or "YamlDotNet";

    /// <summary>A fresh temporary name beside <paramref name="path"/>, its folder made: written, then renamed into place.</summary>
    private static string TemporaryNameFor(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
    }

    /// <summary>The file names of the assemblies beside <paramref name="path"/> that it references, transitively.</summary>
    private static List<string> LocalDependencies(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var found = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { Path.GetFullPath(path) };
        var pending = new Stack<string>();
        pending.Push(Path.GetFullPath(path));
        while (pending.TryPop(out var current))
        {
            using var stream = File.OpenRead(current);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                throw new BadImageFormatException($"{current} is not a .NET assembly", current);
            }

            var metadata = pe.GetMetadataReader();
            foreach (var handle in metadata.AssemblyReferences)
            {
                var name = metadata.GetString(metadata.GetAssemblyReference(handle).Name);
                if (WorkerHas(name))
                {
                    continue;
                }

                var candidate = Path.Combine(directory, name + ".dll");
                if (File.Exists(candidate) && seen.Add(candidate))
                {
                    found.Add(Path.GetFileName(candidate));
                    pending.Push(candidate);
                }
            }
        }

        return found;
    }
}
