using System.Reflection;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;

namespace FuncExec.Client.Internal;

/// <summary>Stores a computation's components, checks their sizes, and opens it.</summary>
internal static class ComputationOpener
{
    public static async Task<Computation> OpenAsync(ICluster cluster, IClusterBackend backend, ComputationOptions? options, CancellationToken cancellationToken)
    {
        options ??= new ComputationOptions();
        var components = new List<ComponentRef>();
        foreach (var assembly in options.Components)
        {
            ArgumentNullException.ThrowIfNull(assembly);
            if (assembly.IsDynamic || string.IsNullOrEmpty(assembly.Location))
            {
                throw new ComponentRefusedException(
                    $"assembly {assembly.GetName().Name} has no file to send (it is dynamic, or inside a single-file app); build it as a separate .dll");
            }

            CheckSize(assembly.Location, backend.MaxFileSize);
            components.Add(backend.Preparer.StoreAssembly(assembly.Location));
        }

        foreach (var file in options.Files)
        {
            var full = Path.GetFullPath(file);
            if (!File.Exists(full))
            {
                throw new ComponentRefusedException($"component file {full} does not exist");
            }

            CheckSize(full, backend.MaxFileSize);
            components.Add(backend.Store.PutFile(full));
        }

        var name = options.Name ?? Assembly.GetEntryAssembly()?.GetName().Name ?? "computation";
        var id = await backend.OpenComputationAsync(new ComputationRequest(name, options.Exclusive, components), options.PulseInterval, cancellationToken).ConfigureAwait(false);
        return new Computation(cluster, backend, id, name, options);
    }

    private static void CheckSize(string path, long max)
    {
        var length = new FileInfo(path).Length;
        if (length > max)
        {
            throw new ComponentRefusedException(
                $"component {path} is {length:N0} bytes, over the cluster's limit of {max:N0} bytes (MaxFileSize); "
                + "put large data where the nodes can read it and pass its path instead");
        }
    }
}
