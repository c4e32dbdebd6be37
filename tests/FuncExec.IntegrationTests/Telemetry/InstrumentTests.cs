using System.Threading.Channels;
using FuncExec.Client;
using FuncExec.Node;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.V1;
using FuncExec.Server;
using FuncExec.Tests.Metrics;
using static FuncExec.IntegrationTests.Tasks;

namespace FuncExec.IntegrationTests.Telemetry;

/// <summary>The node's and the connections' instruments, measured on real worker processes and real sockets.</summary>
[Collection(MetricsTests.Name)]
public sealed class InstrumentTests
{
    private const string Secret = "instrument-tests";

    private static SchedulerServerOptions ServerOptions => new()
    {
        IpAddr = "127.0.0.1",
        Port = 0,
        UdpPort = 0,
        Security = new TransportSecurity(Secret),
    };

    [Fact]
    public async Task WorkerDeaths_KilledTask_CountedAsKilledThenRespawnedWithItsRefillTime()
    {
        using var metrics = new MetricRecorder();
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1 });
        var run = cluster.RunAsync([Code("long", "Thread.Sleep(60_000); return 0;")]);
        Assert.True(await EventuallyAsync(() => cluster.Scheduler.Snapshot().Running.Any(r => r.Name == "long"), seconds: 30));

        cluster.Scheduler.Kill(cluster.Scheduler.Snapshot().Running.Single().Id);
        var reports = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(TaskState.Killed, reports[0].State);
        Assert.True(await EventuallyAsync(() => metrics.Sum("funcexec.worker.respawns") >= 1, seconds: 30), "no worker took the killed one's place");
        Assert.Equal(1, metrics.Sum("funcexec.worker.deaths", "funcexec.reason", "killed"));
        Assert.Equal(1, metrics.Sum("funcexec.worker.deaths"));
        Assert.Equal(1, metrics.Sum("funcexec.worker.respawns"));
        Assert.Equal(1, metrics.Count("funcexec.kill.refill.duration"));
        // The node keeps a warm spare: the replacement is the spare, handed over.
        Assert.Equal(metrics.Sum("funcexec.worker.respawns", "funcexec.worker.replacement", "spare"), metrics.Sum("funcexec.spare.handovers"));
        Assert.Equal(1, metrics.Delta("funcexec.tasks.finished", "funcexec.task.outcome", "killed"));
    }

    [Fact]
    public async Task SpareReady_WarmSpareSaidHello_OneForItsNodeAndAgainForTheNextSpareAfterAHandover()
    {
        using var metrics = new MetricRecorder();
        var dest = Directory.CreateTempSubdirectory("funcexec-spare-gauge-");
        try
        {
            var link = new ReplacementLink();
            await using var node = new LocalNode(new NodeOptions { Name = "spare-gauge", Workers = 1, DestPath = Path.Combine(dest.FullName, "spare") });
            await using var bare = new LocalNode(new NodeOptions { Name = "spare-gauge-off", Workers = 1, WarmSpare = false, DestPath = Path.Combine(dest.FullName, "bare") });
            await node.StartAsync(link);
            await bare.StartAsync(link);

            // The spare counts once it said hello, which is when the node could hand it over.
            Assert.True(await EventuallyAsync(() => node.SparePid != 0, seconds: 60), "the node's warm spare never said hello");
            Assert.Equal(1, metrics.Current("funcexec.spare.ready", "funcexec.node", "spare-gauge"));
            Assert.Equal(0, metrics.Current("funcexec.spare.ready", "funcexec.node", "spare-gauge-off"));

            // The spare takes the killed worker's place; the node starts the next, which counts once it said hello.
            var spare = node.SparePid;
            node.KillWorker(0);
            Assert.Equal(0, await link.Replaced.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal(spare, node.WorkerPids[0]);
            Assert.True(await EventuallyAsync(() => node.SparePid is not 0 and var next && next != spare, seconds: 60), "no next spare said hello");
            Assert.Equal(1, metrics.Current("funcexec.spare.ready", "funcexec.node", "spare-gauge"));
        }
        finally
        {
            dest.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task PeersRejected_WrongSecret_CountedAsAuthentication()
    {
        using var metrics = new MetricRecorder();
        await using var server = await SchedulerServer.StartAsync(ServerOptions);

        await Assert.ThrowsAnyAsync<Exception>(() => RemoteCluster.ConnectAsync(
            $"127.0.0.1:{server.Endpoint.Port}", new RemoteClusterOptions { Security = new TransportSecurity("not-the-secret"), ReattachTime = TimeSpan.Zero }));

        Assert.True(await EventuallyAsync(() => metrics.Sum("funcexec.peers.rejected") >= 1), "the refused connection was not counted");
        Assert.Equal(1, metrics.Sum("funcexec.peers.rejected", "funcexec.reason", "authentication"));
    }

    [Fact]
    public async Task Frames_ClientAskingTheScheduler_CountedBothWaysOnBothSidesWithTheirBytes()
    {
        using var metrics = new MetricRecorder();
        await using var server = await SchedulerServer.StartAsync(ServerOptions);
        await using (var client = await RemoteCluster.ConnectAsync($"127.0.0.1:{server.Endpoint.Port}", new RemoteClusterOptions { Security = new TransportSecurity(Secret) }))
        {
            Assert.Empty(await client.NodesAsync());
        }

        const string Role = "funcexec.peer.role";
        // The scheduler read the client's request and answered it; the client wrote one and read the answer.
        Assert.True(await EventuallyAsync(() => metrics.Delta("funcexec.frames.received", Role, "client") >= 1 && metrics.Delta("funcexec.frames.sent", Role, "client") >= 1));
        Assert.True(metrics.Delta("funcexec.frames.sent", Role, "scheduler") >= 1);
        Assert.True(metrics.Delta("funcexec.frames.received", Role, "scheduler") >= 1);
        // Every frame is at least its 4-byte length prefix.
        Assert.True(metrics.Delta("funcexec.bytes.received", Role, "client") >= 4 * metrics.Delta("funcexec.frames.received", Role, "client"));
        Assert.True(metrics.Delta("funcexec.bytes.sent", Role, "scheduler") >= 4 * metrics.Delta("funcexec.frames.sent", Role, "scheduler"));
    }

    /// <summary>A scheduler link that takes every report and tells which workers a warm spare replaced.</summary>
    private sealed class ReplacementLink : ISchedulerLink
    {
        public Channel<int> Replaced { get; } = Channel.CreateUnbounded<int>();

        public void NodeDraining()
        {
        }

        public void WorkerReady(int workerId)
        {
        }

        public void OnResults(int workerId, IReadOnlyList<TaskResult> results)
        {
        }

        public void TasksReturned(int workerId, IReadOnlyList<long> taskIds)
        {
        }

        public void WorkerLost(int workerId, IReadOnlyList<TaskResult> ended, IReadOnlyList<long> unstarted)
        {
        }

        public void WorkerReplaced(int workerId, IReadOnlyList<TaskResult> ended, IReadOnlyList<long> unstarted) =>
            Replaced.Writer.TryWrite(workerId);

        public void OnTaskMessage(int workerId, TaskMessage message)
        {
        }

        public void OnProgress(int workerId, TaskProgress progress)
        {
        }
    }
}
