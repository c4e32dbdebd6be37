using System.Globalization;
using FuncExec.Core.Platform;

namespace FuncExec.Worker;

/// <summary>What a node tells a worker process on its command line.</summary>
/// <param name="NodeSocket">Unix socket path of the node to connect to.</param>
/// <param name="WorkerId">The worker's id within its node.</param>
/// <param name="Cores">The cores the worker is pinned to.</param>
/// <param name="ComponentDirectory">The node's component store (content-addressed files).</param>
internal sealed record WorkerOptions(string NodeSocket, int WorkerId, IReadOnlyList<int> Cores, string ComponentDirectory)
{
    /// <summary>The node's name, for the worker's spans (<c>--node-name</c>; empty when not given).</summary>
    public string NodeName { get; init; } = string.Empty;

    public static WorkerOptions Parse(string[] args)
    {
        string? socket = null, components = null, nodeName = null;
        int? id = null;
        IReadOnlyList<int>? cores = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--node-socket": socket = value; break;
                case "--worker-id": id = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--cores": cores = CpuAffinity.ParseList(value); break;
                case "--components": components = value; break;
                case "--node-name": nodeName = value; break;
                default: throw new ArgumentException($"unknown worker option '{args[i]}'");
            }
        }

        if (socket is null || id is null || cores is null || components is null)
        {
            throw new ArgumentException(
                "a worker is started by its node: FuncExec.Worker --node-socket PATH --worker-id N --cores LIST --components DIR");
        }

        return new WorkerOptions(socket, id.Value, cores, components) { NodeName = nodeName ?? string.Empty };
    }
}
