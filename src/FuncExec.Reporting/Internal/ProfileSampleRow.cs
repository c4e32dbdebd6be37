namespace FuncExec.Reporting.Internal;

/// <summary>A <c>sample</c> record: the cluster's state at <paramref name="TimeUs"/> (Unix microseconds).</summary>
internal sealed record ProfileSampleRow(long TimeUs, int BusyWorkers, int Workers, int Queued, long Completed);
