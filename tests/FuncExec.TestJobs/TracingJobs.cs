using System.Diagnostics;

namespace FuncExec.TestJobs;

/// <summary>Tasks that trace: what a task's own code does with <see cref="ActivitySource"/>.</summary>
public static class TracingJobs
{
    /// <summary>The source the tasks' own activities come from.</summary>
    public const string SourceName = "FuncExec.TestJobs.Tracing";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts an activity of the task's own, which joins the task's trace when its worker traces.</summary>
    /// <returns>"trace-id/parent-span-id" of that activity, or "untraced" when nothing listened.</returns>
    public static string Child()
    {
        using var child = Source.StartActivity("testjobs.child");
        return child is null ? "untraced" : $"{child.TraceId}/{child.ParentSpanId}";
    }

    /// <summary>Fails with an <see cref="InvalidOperationException"/>.</summary>
    public static int Fail(string message) => throw new InvalidOperationException(message);
}
