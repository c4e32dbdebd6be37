namespace FuncExec.Dashboard.Api;

/// <summary>A task's error, or one of its causes, as the page shows it.</summary>
/// <param name="Type">Full name of the exception type.</param>
/// <param name="Stack">Its stack trace where the task ran, if any.</param>
/// <param name="Inner">Its causes (an inner exception, or all of an aggregate's), each with its own.</param>
/// <remarks>The texts come from user code on a worker: the page shows them as text, never as markup.</remarks>
internal sealed record ErrorView(string Type, string Message, string? Stack, IReadOnlyList<ErrorView> Inner);
