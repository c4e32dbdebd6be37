using System.Diagnostics.Metrics;

namespace FuncExec.Core.Telemetry;

/// <summary>What a scheduler answers for the gauges of <see cref="FuncExecMetrics"/>, once per collection.</summary>
internal interface ISchedulerGauges
{
    /// <summary>Adds the tasks waiting to start, one measurement per computation.</summary>
    void ObserveQueue(List<Measurement<int>> into);

    /// <summary>Adds the busy (or idle) workers, one measurement per node.</summary>
    void ObserveWorkers(List<Measurement<int>> into, bool busy);
}
