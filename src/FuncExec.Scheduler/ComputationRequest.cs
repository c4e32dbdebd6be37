using FuncExec.Protocol.V1;

namespace FuncExec.Scheduler;

/// <summary>What a client asks for when it opens a computation.</summary>
/// <param name="Name">A name for status displays.</param>
/// <param name="Exclusive">Queued behind other exclusive computations, first come first served, and
/// holding every worker while open; otherwise shared fairly with the other open computations.</param>
/// <param name="Components">Files its tasks need on every node, already in the scheduler's reach.</param>
internal sealed record ComputationRequest(string Name, bool Exclusive, IReadOnlyList<ComponentRef> Components);
