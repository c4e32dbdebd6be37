using FuncExec.Core.Tasks;

namespace FuncExec.Reporting.Internal;

/// <summary>A <c>task</c> record: one finished task. Times are Unix microseconds.</summary>
/// <param name="Error">Why it did not succeed, with its causes; null when it succeeded or the profile has no <c>error</c> column.</param>
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
    long FinishedUs,
    RemoteError? Error = null);
