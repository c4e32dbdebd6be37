namespace FuncExec.Reporting;

/// <summary>What a <see cref="ProfileReport"/>'s span was measured from.</summary>
internal enum ProfileSpanSource
{
    /// <summary>Nothing to measure: no task ran and fewer than two samples differ in time. Throughput and
    /// utilization are 0.</summary>
    None,

    /// <summary>From the first task's start to the last task's finish.</summary>
    Tasks,

    /// <summary>From the first sample to the last (no task started, or all in no time).</summary>
    Samples,
}
