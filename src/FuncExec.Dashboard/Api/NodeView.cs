namespace FuncExec.Dashboard.Api;

/// <summary>A node, with the age of its last pulse.</summary>
/// <param name="Stuck">Silent for more than two pulse intervals.</param>
internal sealed record NodeView(int Index, string Name, string Address, long PulseAgeMs, bool Connected, bool Stuck, IReadOnlyList<WorkerView> Workers);
