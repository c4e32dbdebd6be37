using System.Diagnostics;

namespace FuncExec.TestJobs;

/// <summary>A task's code that traces with a plain <see cref="ActivityListener"/> of its own (no OpenTelemetry), which
/// stays in its worker process for the tasks after it.</summary>
public static class ParentSamplingJobs
{
    private static ActivityListener? _listener;

    /// <summary>Listens, once per worker process, to every source (FuncExec's too) with the sampling that follows the
    /// parent: a root is recorded, a child of a recorded parent is recorded, and a child of a parent sampled out is not
    /// created at all.</summary>
    /// <returns>Whether this call started the listener (false: it already listened).</returns>
    public static bool ListenFollowingTheParent()
    {
        if (_listener is not null)
        {
            return false;
        }

        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = static (ref ActivityCreationOptions<ActivityContext> options) =>
                options.Parent == default || options.Parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded)
                    ? ActivitySamplingResult.AllDataAndRecorded
                    : ActivitySamplingResult.None,
        };
        ActivitySource.AddActivityListener(_listener);
        return true;
    }
}
