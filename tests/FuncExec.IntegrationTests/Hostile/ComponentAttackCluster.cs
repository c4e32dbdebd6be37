using FuncExec.IntegrationTests.Distributed;

namespace FuncExec.IntegrationTests.Hostile;

/// <summary>A <c>funcexec scheduler</c> with a secret, a 4 MiB limit on each client's pending uploads and its own store
/// folder, and a one-worker <c>funcexec node</c> joined to it, shared by <see cref="ComponentAttackTests"/>.</summary>
public sealed class ComponentAttackCluster : IAsyncLifetime
{
    public const string Secret = "component-attack-secret";

    public const int MaxPendingUploads = 4 * 1024 * 1024;

    private FuncexecProcess? _scheduler;
    private FuncexecProcess? _node;

    public DirectoryInfo SchedulerStore { get; } = Directory.CreateTempSubdirectory("funcexec-attack-scheduler-");

    public DirectoryInfo NodeStore { get; } = Directory.CreateTempSubdirectory("funcexec-attack-node-");

    public string Address { get; private set; } = string.Empty;

    internal FuncexecProcess Scheduler => _scheduler!;

    internal FuncexecProcess Node => _node!;

    public async Task InitializeAsync()
    {
        (_scheduler, Address) = await FuncexecProcess.StartSchedulerAsync(
            "--secret", Secret, "--dest-path", SchedulerStore.FullName,
            "--max-pending-uploads", MaxPendingUploads.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _node = await FuncexecProcess.StartNodeAsync("--scheduler", Address, "-c", "1", "--secret", Secret, "--dest-path", NodeStore.FullName);
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        if (_scheduler is not null)
        {
            await _scheduler.DisposeAsync();
        }

        SchedulerStore.Delete(recursive: true);
        NodeStore.Delete(recursive: true);
    }
}
