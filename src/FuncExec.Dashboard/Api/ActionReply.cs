namespace FuncExec.Dashboard.Api;

/// <summary>What a kill or cancel did.</summary>
/// <param name="Outcome"><c>sent</c> (to the worker; the task's final state follows), <c>killed</c> or
/// <c>cancelled</c> (it was still queued), or <c>not-found</c>.</param>
internal sealed record ActionReply(long Id, string Outcome);
