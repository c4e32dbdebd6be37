using FuncExec.Protocol.Connections;
using FuncExec.Server;

namespace FuncExec.IntegrationTests.Hostile;

/// <summary>Issue 9: node sessions that come and go, as a fuzzer or a flapping link makes them, leave nothing
/// behind in a real scheduler listening on 127.0.0.1.</summary>
public sealed class NodeChurnTests
{
    private const string Secret = "node-churn";
    private const int Sessions = 200;

    [Fact]
    public async Task NodeSessions_200JoinAndDrop_SchedulerForgetsEveryLostNode()
    {
        await using var server = await SchedulerServer.StartAsync(new SchedulerServerOptions
        {
            IpAddr = "127.0.0.1",
            Port = 0,
            UdpPort = 0,
            Security = new TransportSecurity(Secret),
        });
        var address = $"127.0.0.1:{server.Endpoint.Port}";
        var lost = 0;
        var allLost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var joined = new SemaphoreSlim(0);
        using var subscription = server.Scheduler.Subscribe(events =>
        {
            foreach (var e in events)
            {
                if (e.Kind == ClusterEventKind.NodeJoined)
                {
                    joined.Release();
                }
                else if (e.Kind == ClusterEventKind.NodeLost && Interlocked.Increment(ref lost) == Sessions)
                {
                    allLost.TrySetResult();
                }
            }
        });

        for (var i = 0; i < Sessions; i++)
        {
            // Half rejoin under one name, as a restarting node does; half come under new names.
            await using var peer = await RoguePeer.JoinAsNodeAsync(address, i % 2 == 0 ? "flapping" : $"node-{i}", Secret, workers: 8);
            Assert.True(await joined.WaitAsync(TimeSpan.FromSeconds(30)), $"session {i} did not join");
        }

        await allLost.Task.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(server.Scheduler.Snapshot().Nodes);
        Assert.Empty(server.BuildStatus(journal: false).Nodes);
    }
}
