namespace FuncExec;

/// <summary>No scheduler answered at the address tried.</summary>
public sealed class SchedulerUnreachableException : FuncExecException
{
    /// <summary>Creates the exception.</summary>
    public SchedulerUnreachableException(string address, string why, Exception? innerException = null)
        : base($"no scheduler answered at {address}: {why}; start one with 'funcexec scheduler', or check the address (--scheduler on the command line)", innerException)
    {
        Address = address;
    }

    /// <summary>The address tried.</summary>
    public string Address { get; }

    /// <summary>For a run that failed because its scheduler did not come back: the id the scheduler gave each of the
    /// run's tasks, by position, 0 for a task it never accepted; empty otherwise. A task whose id is known may have
    /// finished on the scheduler after the client gave up.</summary>
    public IReadOnlyList<long> TaskIds { get; init; } = [];
}
