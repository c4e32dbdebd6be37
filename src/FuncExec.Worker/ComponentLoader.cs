using System.Reflection;
using System.Text.Json;
using FuncExec.Core.Functions;
using FuncExec.Protocol.Components;
using FuncExec.Protocol.V1;

namespace FuncExec.Worker;

/// <summary>
/// Loads components from the node's content-addressed store
/// (<c>DIR/&lt;sha256&gt;/&lt;file name&gt;</c>) once per hash. Used by the worker's one executing thread.
/// </summary>
internal sealed class ComponentLoader
{
    private readonly string _directory;
    private readonly CodeRunner _code = new();
    private readonly Dictionary<string, Assembly> _assemblies = new(StringComparer.Ordinal);

    public ComponentLoader(string directory)
    {
        _directory = directory;
    }

    /// <summary>Where the node stored <paramref name="component"/>, its reference checked first: the node passes on
    /// what the scheduler sent.</summary>
    /// <exception cref="InvalidDataException">The id is not 64 lowercase hexadecimal characters or the file name is
    /// not a plain file name.</exception>
    public string PathOf(ComponentRef component)
    {
        ComponentIds.Check(component);
        return Path.Combine(_directory, component.Sha256, component.FileName);
    }

    public Assembly LoadAssembly(ComponentRef component)
    {
        // Every task of a function names its assembly: look it up by hash, not on disk.
        if (_assemblies.TryGetValue(component.Sha256, out var loaded))
        {
            return loaded;
        }

        var path = PathOf(component);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"component {component.FileName} ({component.Sha256}) is not in the node's store", path);
        }

        // Dependencies were stored beside it under their own names.
        loaded = UserAssemblies.Load(path);
        _assemblies[component.Sha256] = loaded;
        WorkerMetrics.AssemblyLoaded();
        return loaded;
    }

    /// <summary>The entry point a code task names; an image shared by many codes is loaded once, whichever of them comes first.</summary>
    public Func<JsonElement[], object?> LoadCode(CodeCall call) => _code.LoadFile(PathOf(call.Image), call.TypeName, call.MethodName);
}
