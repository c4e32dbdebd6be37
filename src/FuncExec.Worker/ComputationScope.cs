using System.Reflection;
using FuncExec.Core.Functions;
using FuncExec.Protocol.V1;

namespace FuncExec.Worker;

/// <summary>
/// What the worker keeps for one computation: its collectible load context, the assemblies loaded into it,
/// and the methods resolved and lambdas bound against them. Dropped whole when the computation closes, so
/// nothing is left to keep the context from unloading. Used by the executing thread only.
/// </summary>
internal sealed class ComputationScope
{
    private readonly ComponentLoader _components;
    private readonly ComputationLoadContext _context;
    private readonly Dictionary<string, Assembly> _assemblies = new(StringComparer.Ordinal);

    public ComputationScope(long computation, string componentDirectory, ComponentLoader components)
    {
        _components = components;
        _context = new ComputationLoadContext(computation, ComputationLoadContext.FilesDirectoryOf(componentDirectory, computation));
    }

    public string FilesDirectory => _context.FilesDirectory;

    public MethodResolver Resolver { get; } = new();

    public LambdaCache Lambdas { get; } = new();

    public Assembly LoadAssembly(ComponentRef component)
    {
        if (_assemblies.TryGetValue(component.Sha256, out var loaded))
        {
            return loaded;
        }

        var path = _components.PathOf(component);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"component {component.FileName} ({component.Sha256}) is not in the node's store", path);
        }

        loaded = _context.LoadComponent(path);
        _assemblies[component.Sha256] = loaded;
        WorkerMetrics.AssemblyLoaded();
        return loaded;
    }

    /// <summary>Starts unloading the context; the caller drops this scope.</summary>
    public void Close()
    {
        _assemblies.Clear();
        _context.Close();
    }
}
