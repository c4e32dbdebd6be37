namespace FuncExec.Dashboard.Api;

/// <summary><c>/api/computations</c>: computations and their clients.</summary>
internal sealed record ComputationsView(IReadOnlyList<ComputationView> Computations, IReadOnlyList<ClientView> Clients);
