namespace FuncExec;

/// <summary>The names task states have in output: lower case, words joined by a hyphen.</summary>
internal static class TaskStateNames
{
    /// <summary>The output name of <paramref name="state"/>, e.g. <c>timed-out</c>.</summary>
    public static string ToName(this TaskState state) => state switch
    {
        TaskState.Succeeded => "succeeded",
        TaskState.Failed => "failed",
        TaskState.TimedOut => "timed-out",
        TaskState.Cancelled => "cancelled",
        TaskState.Killed => "killed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown task state"),
    };
}
