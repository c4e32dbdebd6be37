namespace FuncExec.Dashboard;

/// <summary>A client connected to the scheduler, as the dashboard lists it.</summary>
/// <param name="Name">The name it gave in its handshake.</param>
/// <param name="Address">Where it connected from.</param>
/// <param name="Connected">When it connected.</param>
internal sealed record DashboardClient(string Name, string Address, DateTimeOffset Connected)
{
    /// <summary>How the scheduler names it as the owner of its computations
    /// (<see cref="Scheduler.Status.ComputationSnapshot.Client"/>); <see cref="Name"/> when not set.</summary>
    public string? Owner { get; init; }
}
