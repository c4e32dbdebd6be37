using System.Diagnostics.Metrics;

namespace FuncExec.Core.Telemetry;

/// <summary>What a node answers for the node gauges of <see cref="FuncExecMetrics"/>, once per collection.</summary>
internal interface INodeGauges
{
    /// <summary>Adds the node's warm spare workers that are connected and ready to take a dead worker's place (0 or 1).</summary>
    void ObserveSpares(List<Measurement<int>> into);
}
