namespace FuncExec.Dashboard.Api;

/// <summary>Tasks finished per second: <see cref="Counts"/>[i] is the second <see cref="Start"/> + i (Unix seconds); the last is the second under way.</summary>
internal sealed record ThroughputView(long Start, IReadOnlyList<int> Counts);
