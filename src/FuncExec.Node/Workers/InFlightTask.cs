namespace FuncExec.Node.Workers;

/// <summary>A task handed to a worker and not yet reported back.</summary>
internal sealed record InFlightTask(long TaskId, int Attempt, long TimeoutMs)
{
    /// <summary>When the worker said it started (only sent for tasks with a timeout), in Unix µs.</summary>
    public long StartedUnixUs { get; set; }
}
