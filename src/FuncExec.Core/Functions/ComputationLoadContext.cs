using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using FuncExec.Core.Functions.Internal;

namespace FuncExec.Core.Functions;

/// <summary>
/// The collectible load context of one computation on a worker: its components load here, so closing the
/// computation unloads them, and two computations may bring different builds of the same assembly.
/// </summary>
/// <remarks>
/// <para>A dependency resolves, in order: from the default context when it is a framework or FuncExec
/// assembly (a trusted platform assembly of the worker, such as <c>FuncExec.Core</c>, so
/// <see cref="TaskContext"/> is one type for the job and the worker); through the <c>NAME.deps.json</c> of the
/// components loaded here that came with one, as the .NET host resolves a program's dependencies (which finds
/// assemblies loaded by name, such as <c>SQLitePCLRaw.batteries_v2</c>); from the folders of the components
/// loaded here; from the computation's files folder; and last from the default context's copy when it
/// has one loaded by that name. A manifest resolves as it does for task-file assemblies (<see cref="PackageResolver"/>):
/// a file beside the component first, then in the NuGet package folders.
/// Native libraries the components' assemblies import resolve through those <c>NAME.deps.json</c> files too (<c>runtimes/linux-x64/native/libe_sqlite3.so</c>), and otherwise as the
/// runtime finds them by default, beside the importing assembly first.</para>
/// <para>Unloading completes once nothing refers to the context's types any more: callers drop their
/// caches of its methods before <see cref="Close"/>. Serializer settings for its types are kept apart
/// from the shared ones and dropped on close, since the serializer's caches would otherwise hold them.</para>
/// </remarks>
internal sealed class ComputationLoadContext : AssemblyLoadContext
{
    private readonly ConcurrentDictionary<string, Assembly> _byPath = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _folders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PackageResolver> _resolvers = new(StringComparer.Ordinal);
    private int _closed;

    /// <summary>Creates the context of computation <paramref name="computation"/>.</summary>
    /// <param name="computation">The computation's id.</param>
    /// <param name="filesDirectory">The computation's files folder, searched for dependencies after the components' folders.</param>
    public ComputationLoadContext(long computation, string filesDirectory)
        : base("FuncExec.Computation." + computation.ToString(CultureInfo.InvariantCulture), isCollectible: true)
    {
        ArgumentNullException.ThrowIfNull(filesDirectory);
        Computation = computation;
        FilesDirectory = filesDirectory;
        FunctionJson.Register(this);
    }

    /// <summary>The computation's id.</summary>
    public long Computation { get; }

    /// <summary>The computation's files folder.</summary>
    public string FilesDirectory { get; }

    /// <summary>
    /// The files folder of computation <paramref name="computation"/> on a node whose component store is
    /// <paramref name="componentDirectory"/>: <c>computations/ID</c> beside the store.
    /// </summary>
    public static string FilesDirectoryOf(string componentDirectory, long computation)
    {
        ArgumentNullException.ThrowIfNull(componentDirectory);
        return Path.Combine(Path.GetDirectoryName(componentDirectory)!, "computations", computation.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Loads the assembly at <paramref name="path"/> into this context, once per path; its <c>NAME.deps.json</c>,
    /// when it has one beside it, and its folder then serve its dependencies.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidOperationException">Its <c>NAME.deps.json</c> cannot be read (said by the runtime's resolver).</exception>
    /// <exception cref="InvalidDataException">Its <c>NAME.deps.json</c> cannot be read.</exception>
    /// <exception cref="ObjectDisposedException">The context was closed.</exception>
    public Assembly LoadComponent(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed) != 0, this);
        var full = Path.GetFullPath(path);
        if (_byPath.TryGetValue(full, out var loaded))
        {
            return loaded;
        }

        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"assembly {full} does not exist", full);
        }

        if (File.Exists(DependencyAssets.ManifestOf(full)))
        {
            _resolvers.TryAdd(full, new PackageResolver(full));
        }

        _folders.TryAdd(Path.GetDirectoryName(full)!, 0);
        return _byPath.GetOrAdd(full, LoadFromAssemblyPath(full));
    }

    /// <summary>Forgets what this context loaded and starts unloading it; idempotent.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _byPath.Clear();
        _resolvers.Clear();
        FunctionJson.Unregister(this);
        Unload();
    }

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var name = assemblyName.Name;
        if (name is null || TrustedPlatform.Contains(name))
        {
            // The default context loads it, or has: one copy of the framework and of FuncExec itself.
            return null;
        }

        foreach (var resolver in _resolvers.Values)
        {
            // Only what came with the component: the manifest also lists what stayed behind (FuncExec's own).
            if (resolver.ResolveAssembly(assemblyName) is { } path)
            {
                return LoadFromAssemblyPath(path);
            }
        }

        foreach (var folder in _folders.Keys)
        {
            if (TryLoadFrom(folder, name) is { } fromComponent)
            {
                return fromComponent;
            }
        }

        if (TryLoadFrom(FilesDirectory, name) is { } fromFiles)
        {
            return fromFiles;
        }

        foreach (var assembly in Default.Assemblies)
        {
            if (string.Equals(assembly.GetName().Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return assembly;
            }
        }

        return null;
    }

    /// <inheritdoc />
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        foreach (var resolver in _resolvers.Values)
        {
            if (resolver.ResolveNative(unmanagedDllName) is { } path)
            {
                return LoadUnmanagedDllFromPath(path);
            }
        }

        // The runtime's own search: beside the importing assembly, then the system's.
        return IntPtr.Zero;
    }

    private Assembly? TryLoadFrom(string folder, string name)
    {
        var candidate = Path.Combine(folder, name + ".dll");
        return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
    }
}
