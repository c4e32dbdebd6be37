namespace FuncExec.Dashboard.Api;

/// <summary>A connected client and the open computations it owns.</summary>
/// <param name="Connected">Unix milliseconds.</param>
internal sealed record ClientView(string Name, string Address, long Connected, IReadOnlyList<long> Computations);
