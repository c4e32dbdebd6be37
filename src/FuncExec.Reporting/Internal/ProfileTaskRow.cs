using FuncExec.Core.Tasks;

namespace FuncExec.Reporting.Internal;

/// <summary>A <c>task</c> record: one finished task. Times are Unix microseconds.</summary>
internal sealed record ProfileTaskRow(
    int Line,
    long TaskId,
    string Name,
    long Computation,
    string Worker,
    IReadOnlyList<int> Cores,
    TaskState Status,
    int Attempts,
    long? QueuedUs,
    long? StartedUs,
    long FinishedUs);
