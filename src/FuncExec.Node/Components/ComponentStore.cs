using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using FuncExec.Protocol.V1;

namespace FuncExec.Node.Components;

/// <summary>
/// Files tasks need, stored once per content: <c>ROOT/&lt;sha256&gt;/&lt;file name&gt;</c>.
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
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            File.WriteAllBytes(temp, content);
            File.Move(temp, path, overwrite: true);
        }

        return component;
    }

    /// <summary>Stores the file at <paramref name="path"/>.</summary>
    public ComponentRef PutFile(string path) => Put(File.ReadAllBytes(path), Path.GetFileName(path));

    /// <summary>
    /// Stores the assembly at <paramref name="path"/> together with the assemblies it references
    /// that sit beside it (transitively), so it loads on a node the way it loads here.
    /// </summary>
    /// <exception cref="BadImageFormatException">The file is not a .NET assembly.</exception>
    public ComponentRef PutAssembly(string path)
    {
        var content = File.ReadAllBytes(path);
        var dependencies = LocalDependencies(path);
        var component = Put(content, Path.GetFileName(path));
        var directory = Path.GetDirectoryName(PathOf(component))!;
        foreach (var dependency in dependencies)
        {
            var target = Path.Combine(directory, Path.GetFileName(dependency));
            if (!File.Exists(target))
            {
                var temp = $"{target}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
                File.Copy(dependency, temp);
                File.Move(temp, target, overwrite: true);
            }
        }

        return component;
    }

    /// <summary>The files of a stored component: the main file first, then what travels with it.</summary>
    public IReadOnlyList<(string Name, byte[] Content)> ReadBundle(ComponentRef component)
    {
        var main = PathOf(component);
        var files = new List<(string, byte[])> { (component.FileName, File.ReadAllBytes(main)) };
        foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(main)!))
        {
            var name = Path.GetFileName(file);
            if (name != component.FileName && !name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                files.Add((name, File.ReadAllBytes(file)));
            }
        }

        return files;
    }

    /// <summary>Stores a component received from elsewhere, after checking the main file's hash and every file's size.</summary>
    /// <exception cref="InvalidDataException">The content does not match the hash, or a file is over <paramref name="maxFileSize"/>.</exception>
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

            if (name != Path.GetFileName(name) || name.Length == 0)
            {
                throw new InvalidDataException($"component file name '{name}' is not a plain file name");
            }
        }

        var main = files.FirstOrDefault(f => f.Name == component.FileName);
        if (main.Name is null || Convert.ToHexStringLower(SHA256.HashData(main.Content.Span)) != component.Sha256)
        {
            throw new InvalidDataException($"component {component.FileName} does not match its hash {component.Sha256}");
        }

        var directory = Path.GetDirectoryName(PathOf(component))!;
        Directory.CreateDirectory(directory);
        foreach (var (name, content) in files)
        {
            var target = Path.Combine(directory, name);
            if (!File.Exists(target))
            {
                var temp = $"{target}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
                File.WriteAllBytes(temp, content.ToArray());
                File.Move(temp, target, overwrite: true);
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
                    found.Add(candidate);
                    pending.Push(candidate);
                }
            }
        }

        return found;
    }
}
