using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;
using FuncExec.Core.Functions;
using FuncExec.Protocol.V1;

namespace FuncExec.Worker;

/// <summary>
/// Loads components from the node's content-addressed store
/// (<c>DIR/&lt;sha256&gt;/&lt;file name&gt;</c>) once per hash.
/// </summary>
internal sealed class ComponentLoader
{
    private readonly string _directory;
    private readonly ConcurrentDictionary<string, Assembly> _assemblies = new(StringComparer.Ordinal);
    private readonly CodeRunner _code = new();

    public ComponentLoader(string directory)
    {
        _directory = directory;
        // Dependencies of a user assembly sit beside it in the store under their own names.
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            foreach (var loaded in _assemblies.Values)
            {
                var candidate = Path.Combine(Path.GetDirectoryName(loaded.Location)!, name.Name + ".dll");
                if (File.Exists(candidate))
                {
                    return context.LoadFromAssemblyPath(candidate);
                }
            }

            return null;
        };
    }

    public string PathOf(ComponentRef component) => Path.Combine(_directory, component.Sha256, component.FileName);

    public Assembly LoadAssembly(ComponentRef component) =>
        _assemblies.GetOrAdd(component.Sha256, static (_, state) =>
        {
            var (self, c) = state;
            var path = self.PathOf(c);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"component {c.FileName} ({c.Sha256}) is not in the node's store", path);
            }

            return AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
        }, (this, component));

    public Func<JsonElement[], object?> LoadCode(CodeCall call) => _code.LoadFile(PathOf(call.Image));
}
