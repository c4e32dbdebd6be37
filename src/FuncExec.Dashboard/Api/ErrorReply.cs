namespace FuncExec.Dashboard.Api;

/// <summary>Why a request was refused.</summary>
internal sealed record ErrorReply(string Error);
