namespace FuncExec;

/// <summary>The final state of a task.</summary>
public enum TaskState
{
    /// <summary>Returned a result.</summary>
    Succeeded,

    /// <summary>Threw, could not be resolved, or its worker died.</summary>
    Failed,

    /// <summary>Ran past its timeout; its worker was killed and replaced.</summary>
    TimedOut,

    /// <summary>Stopped on request after its cancellation token was signalled.</summary>
    Cancelled,

    /// <summary>Killed on request.</summary>
    Killed,
}
