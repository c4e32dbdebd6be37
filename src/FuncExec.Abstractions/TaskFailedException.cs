
namespace FuncExec;

/// <summary>
/// A remote task did not return a result: it threw, timed out, was cancelled or killed, or its
/// worker died. Carries what was raised where it ran, with its causes.
/// </summary>
/// <remarks>
/// <see cref="Exception.InnerException"/> is a <see cref="RemoteException"/> rebuilt from <see cref="Error"/> (null when
/// the task raised nothing), so <see cref="Exception.ToString"/> prints the remote type, message and stack and every remote
/// cause below it in .NET's <c> ---&gt; </c> format, and code that walks inner exceptions sees the remote chain.
/// </remarks>
public sealed class TaskFailedException : FuncExecException
{
    /// <summary>Creates the exception from a task's final report.</summary>
    public TaskFailedException(TaskReport report)
        : base(Describe(report), report?.Error is { } error ? new RemoteException(error) : null)
    {
        ArgumentNullException.ThrowIfNull(report);
        Report = report;
    }

    /// <summary>The task's final report.</summary>
    public TaskReport Report { get; }

    /// <summary>How the task ended: failed, timed out, cancelled or killed.</summary>
    public TaskState State => Report.State;

    /// <summary>What was raised where the task ran, with its causes; null when the task raised nothing.</summary>
    public RemoteError? Error => Report.Error;

    /// <summary>
    /// The causes of the remote exception: its inner exception, or all of an <see cref="AggregateException"/>'s, each with
    /// its own <see cref="RemoteError.Inner"/>; empty when it had none.
    /// </summary>
    public IReadOnlyList<RemoteError> RemoteInner => Report.Error?.Inner ?? [];

    /// <summary>The full name of the exception type raised where the task ran (e.g. <c>System.DivideByZeroException</c>).</summary>
    public string RemoteType => Report.Error?.Type ?? string.Empty;

    /// <summary>The message of the exception raised where the task ran.</summary>
    public string RemoteMessage => Report.Error?.Message ?? string.Empty;

    /// <summary>The stack trace where the task ran, if there was one.</summary>
    public string? RemoteStackTrace => Report.Error?.StackTrace;

    private static string Describe(TaskReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var what = report.State switch
        {
            TaskState.TimedOut => "timed out",
            TaskState.Cancelled => "was cancelled",
            TaskState.Killed => "was killed",
            _ => "failed",
        };
        var error = report.Error is { } e ? $": {e.Type}: {e.Message}" : string.Empty;
        return $"task {report.Id} ('{report.Name}') {what}{error}";
    }
}
