namespace FuncExec.Dashboard.Api;

/// <summary><c>/api/tasks/{id}/error</c>: a failed task's error with its whole cause chain.</summary>
/// <param name="State">Its final state (<c>failed</c>, <c>timed-out</c>, <c>killed</c>, <c>cancelled</c>).</param>
internal sealed record TaskErrorView(long Id, string Name, string State, ErrorView Error);
