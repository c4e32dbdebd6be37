using System.Security.Cryptography;
using FuncExec.Core.Functions;
using FuncExec.Protocol.Components;
using FuncExec.Protocol.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FuncExec.Node.Components;

/// <summary>
/// Files tasks need, stored once per content: <c>ROOT/&lt;sha256&gt;/&lt;file name&gt;</c>, with the files that
/// travel with it beside it (<c>ROOT/&lt;sha256&gt;/runtimes/linux-x64/native/libe_sqlite3.so</c>).
/// </summary>
/// <remarks>Writes go to a temporary name and are renamed into place, so a reader never
/// sees half a file and two writers of the same content do not clash. Every reference is checked
/// (<see cref="ComponentIds"/>) before it becomes a path, and every path is checked to stay under
/// <see cref="Root"/> without a symbolic link on the way. With <see cref="MaxSize"/> set, the store evicts the
/// least recently used components nobody has pinned (<see cref="Pin"/>) to stay under it.</remarks>
internal sealed partial class ComponentStore
{
    private readonly ILogger _logger;

    /// <summary>Opens (and creates) the store at <paramref name="root"/>.</summary>
    /// <param name="root">The store's directory.</param>
    /// <param name="logger">Where a dependency an assembly's <c>NAME.deps.json</c> lists but that is found nowhere
    /// is reported; by default nowhere.</param>
    /// <param name="maxSize">The most bytes the store holds (see <see cref="MaxSize"/>); by default no cap.</param>
    /// <param name="sizeOption">The option that sets <paramref name="maxSize"/>, named in the refusal when it is reached.</param>
    public ComponentStore(string root, ILogger? logger = null, long maxSize = long.MaxValue, string sizeOption = "--max-store-size")
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSize);
        Directory.CreateDirectory(root);
        // Resolved once, links and all, so "under the root" is a plain prefix check on resolved paths.
        Root = Path.TrimEndingDirectorySeparator(ResolveLinks(Path.GetFullPath(root)));
        _logger = logger ?? NullLogger.Instance;
        MaxSize = maxSize;
        _sizeOption = sizeOption;
        ComponentReceiver.ClearIncoming(this);
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

        Admit(component);
        return component;
    }

    /// <summary>Stores the file at <paramref name="path"/>.</summary>
    public ComponentRef PutFile(string path) => Put(File.ReadAllBytes(path), Path.GetFileName(path));

    /// <summary>
    /// Stores the assembly at <paramref name="path"/> together with what it needs, so it loads on a node the way it
    /// loads here: with a <c>NAME.deps.json</c> beside it, the managed and native files that lists for this platform,
    /// from beside it or from the NuGet package folder, under their paths in a published app; without one, the
    /// assemblies it references that sit beside it (transitively).
    /// </summary>
    /// <remarks>What a worker has stays behind (<see cref="WorkerAssemblies"/>): the framework, FuncExec's own
    /// assemblies and the packages the worker uses, and what the job reaches only through FuncExec. A file
    /// the manifest lists but that is found nowhere stays behind too, with a warning naming it and where it was
    /// looked for: loading it on a node will fail.</remarks>
    /// <exception cref="BadImageFormatException">The file is not a .NET assembly.</exception>
    /// <exception cref="InvalidDataException">Its <c>NAME.deps.json</c> cannot be read.</exception>
    public ComponentRef PutAssembly(string path) => PutAssembly(path, packageFolders: null);

    /// <summary><see cref="PutAssembly(string)"/> looking for packages in <paramref name="packageFolders"/>, for tests.</summary>
    internal ComponentRef PutAssembly(string path, IReadOnlyList<string>? packageFolders)
    {
        var content = File.ReadAllBytes(path);
        var source = Path.GetDirectoryName(Path.GetFullPath(path))!;
        bool WorkerHas(string name) => WorkerAssemblies.Current.Has(name, source);

        // Walked either way: it is what refuses a file that is not an assembly.
        var dependencies = AssemblyClosure.Beside(path, WorkerHas).Select(name => (Name: name, Source: Path.Combine(source, name))).ToList();
        if (File.Exists(DependencyManifest.PathOf(path)))
        {
            var files = DependencyManifest.Assets(path, WorkerHas, DependencyAssets.CurrentRids, packageFolders);
            foreach (var missing in files.Where(file => file.Source is null))
            {
                NodeLog.DependencyNotFound(_logger, Path.GetFileName(path), missing.Name, string.Join(", ", missing.LookedIn));
            }

            dependencies = [.. files.Where(file => file.Source is not null).Select(file => (file.Name, Source: file.Source!))];
        }

        var component = Put(content, Path.GetFileName(path));
        var directory = Path.GetDirectoryName(PathOf(component))!;
        var targets = ComponentPath.Resolve(directory, dependencies.Select(file => file.Name));
        for (var i = 0; i < targets.Count; i++)
        {
            if (!File.Exists(targets[i]))
            {
                var temp = TemporaryNameFor(targets[i]);
                File.Copy(dependencies[i].Source, temp);
                File.Move(temp, targets[i], overwrite: true);
            }
        }

        Admit(component);
        return component;
    }

    /// <summary>
    /// The files of a stored component: the main file first, then what travels with it, each named by its path
    /// in the component's folder (<c>runtimes/linux-x64/native/libe_sqlite3.so</c>).
    /// </summary>
    public IReadOnlyList<(string Name, byte[] Content)> ReadBundle(ComponentRef component) =>
        [.. BundleFiles(component).Select(file => (file.Name, File.ReadAllBytes(file.Path)))];

    /// <summary>
    /// The files of a stored component, as <see cref="ReadBundle"/> names them, with where each is: to be read a
    /// piece at a time. Symbolic links are left out: the store holds only files it wrote.
    /// </summary>
    /// <exception cref="InvalidDataException">The reference is not valid or leaves the store.</exception>
    public IReadOnlyList<(string Name, string Path)> BundleFiles(ComponentRef component)
    {
        var main = PathOf(component);
        var directory = Path.GetDirectoryName(main)!;
        var files = new List<(string, string)> { (component.FileName, main) };
        var walk = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        foreach (var file in Directory.EnumerateFiles(directory, "*", walk))
        {
            var name = ComponentPath.NameOf(directory, file);
            if (name != component.FileName && !IsTemporary(name))
            {
                files.Add((name, file));
            }
        }

        Touch(component.Sha256);
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
        ComponentIds.Check(component);
        ArgumentNullException.ThrowIfNull(files);
        foreach (var (name, content) in files)
        {
            if (content.Length > maxFileSize)
            {
                throw new InvalidDataException(
                    $"component file {name} is {content.Length:N0} bytes, over this node's --max-file-size of {maxFileSize:N0}");
            }
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

        Admit(component);
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

            var top = new EnumerationOptions { AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
            foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(PathOf(component))!, "*", top))
            {
                var target = Path.Combine(folder, Path.GetFileName(file));
                if (!IsTemporary(file) && !File.Exists(target))
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

    /// <summary>Whether a component is stored here; false for a reference that is not valid.</summary>
    public bool Contains(ComponentRef component) =>
        Locate(component, out _) is { } path && File.Exists(path) && Touch(component.Sha256);

    /// <summary>Notes that a component known to be stored was just used (for eviction order), without looking at the disk.</summary>
    public void MarkUsed(ComponentRef component)
    {
        ArgumentNullException.ThrowIfNull(component);
        Touch(component.Sha256);
    }

    /// <summary>Where a stored component lives: always a path under <see cref="Root"/>.</summary>
    /// <exception cref="InvalidDataException">The id is not 64 lowercase hexadecimal characters, the file name is not
    /// a plain file name, or the component's folder or file is a symbolic link (the message says which).</exception>
    public string PathOf(ComponentRef component) =>
        Locate(component, out var problem) ?? throw new InvalidDataException(problem);

    /// <summary>The path of <paramref name="component"/> under the root, or null with the reason it has none.</summary>
    private string? Locate(ComponentRef component, out string? problem)
    {
        problem = ComponentIds.Problem(component);
        if (problem is not null)
        {
            return null;
        }

        var directory = Path.Combine(Root, component.Sha256);
        var path = Path.GetFullPath(Path.Combine(directory, component.FileName));
        if (!path.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            problem = $"component {component.Sha256} ({component.FileName}) leaves the store";
            return null;
        }

        if (IsLink(directory) || IsLink(path))
        {
            problem = $"component {component.Sha256} ({component.FileName}) is a symbolic link in the store; the store serves only files it wrote";
            return null;
        }

        return path;
    }

    /// <summary>Whether <paramref name="path"/> is a writer's temporary file (<see cref="TemporaryNameFor"/>): not part of a
    /// component, and renamed into place or removed at any moment.</summary>
    private static bool IsTemporary(string path) => path.EndsWith(".tmp", StringComparison.Ordinal);

    /// <summary>A fresh temporary name beside <paramref name="path"/>, its folder made: written, then renamed into place.</summary>
    private static string TemporaryNameFor(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
    }
}
