namespace FuncExec;

/// <summary>An exception raised where a task ran, as it crossed back to the client.</summary>
/// <param name="Type">Full name of the exception type.</param>
/// <param name="Message">Its message.</param>
/// <param name="StackTrace">Its stack trace where the task ran, if any.</param>
/// <param name="Retryable">False for errors a retry cannot mend (unknown function, bad arguments, compile errors).</param>
public sealed record RemoteError(string Type, string Message, string? StackTrace = null, bool Retryable = true);
