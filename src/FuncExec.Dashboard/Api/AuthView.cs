namespace FuncExec.Dashboard.Api;

/// <summary><c>/api/auth</c>: what the caller may do, so the page knows whether to ask for the secret.</summary>
/// <param name="SecretConfigured">The cluster has a secret: kill and cancel need it.</param>
/// <param name="Loopback">The caller connects from a loopback address.</param>
/// <param name="CanRead">The caller may read without giving the secret (or gave it).</param>
/// <param name="CanAct">The caller may kill and cancel without giving the secret.</param>
internal sealed record AuthView(bool SecretConfigured, bool Loopback, bool CanRead, bool CanAct);
