namespace FuncExec.Dashboard.Api;

/// <summary>The body of <c>POST /api/login</c>.</summary>
internal sealed record LoginRequest(string? Secret);
