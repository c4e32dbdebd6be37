using FuncExec.Client;
using FuncExec.Core.Tasks;
using FuncExec.IntegrationTests.Distributed;
using FuncExec.IntegrationTests.Hostile;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.V1;
using FuncExec.TestJobs;

namespace FuncExec.IntegrationTests.Api;

/// <summary>
/// Submissions bigger than one frame may be, against separate scheduler and node processes: the bench's map of
/// 100,000 items, one task each, went as one frame over the scheduler's 17 MiB cap on a client's frame; the
/// scheduler closed the connection, the client reconnected and sent it again, and the call timed out after 30 s.
/// </summary>
public sealed class LargeSubmissionTests(RemoteClusterFixture fixture) : IClassFixture<RemoteClusterFixture>
{
    // The scheduler's cap on a client's frame with its default --max-file-size: 16 MiB plus 1 MiB.
    private const int ClientFrameCap = 17 * 1024 * 1024;

    [Fact]
    public async Task RunAsync_TasksWhoseOneFrameWouldBeOverTheCap_EveryResultRight()
    {
        await using var cluster = await RemoteCluster.ConnectAsync(fixture.Address);
        // 100,000 tasks of over 200 bytes each: more than 20 MB as one frame.
        var padding = new string('p', 200);
        var tasks = Enumerable.Range(0, 100_000).Select(i => Tasks.Method($"abs-{i}-{padding}", "System.Math.Abs", -i)).ToArray();

        var reports = await cluster.RunAsync(tasks);

        Assert.Equal(tasks.Length, reports.Count);
        for (var i = 0; i < reports.Count; i++)
        {
            Assert.True(reports[i].State == TaskState.Succeeded, $"{reports[i].Name}: {reports[i].State} {reports[i].Error?.Message}");
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), reports[i].ResultJson);
        }
    }

    [Fact]
    public async Task MapAsync_100000ItemsOneTaskEach_EveryResultRight()
    {
        await using var cluster = await Cluster.ConnectAsync(fixture.Address);
        await using var computation = await cluster.ScheduleAsync(new ComputationOptions { Name = "large-map" });
        var items = Enumerable.Range(0, 100_000).ToArray();

        var results = await computation.MapAsync(items, x => ApiJobs.Square(x % 1000), new TaskOptions { ChunkSize = 1 });

        Assert.Equal(items.Select(x => x % 1000 * (x % 1000)), results);
    }

    [Fact]
    public async Task RunAsync_OneTaskOverTheCap_RefusedAtOnceNamingItsSizeAndTheCapAndTheClientGoesOn()
    {
        await using var cluster = await RemoteCluster.ConnectAsync(fixture.Address);
        var big = Tasks.Method("too-big", "System.String.IsNullOrEmpty", new string('b', ClientFrameCap));

        var refused = await Assert.ThrowsAsync<ResourceRequestException>(() => cluster.RunAsync([big]));

        Assert.Contains("task 'too-big' is", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"over the scheduler's cap of {ClientFrameCap:N0} bytes", refused.Message, StringComparison.Ordinal);
        var after = await cluster.RunAsync([Tasks.Method("after", "System.Math.Abs", -3)]);
        Assert.Equal("3", after[0].ResultJson);
    }

    [Fact]
    public async Task SendAsync_MessageOverTheCap_FailsNamingTheFrameAndTheCap()
    {
        await using var cluster = await Cluster.ConnectAsync(fixture.Address);
        await using var computation = await cluster.ScheduleAsync(new ComputationOptions { Name = "large-message" });
        var receiver = await computation.SubmitAsync(ctx => ApiJobs.ReceiveOne(ctx));

        // The scheduler closes the connection on the frame, saying why; the call waiting on it fails with that reason.
        var lost = await Assert.ThrowsAsync<SchedulerUnreachableException>(() => receiver.SendAsync(new string('m', ClientFrameCap)));

        Assert.Contains($"over the scheduler's cap of {ClientFrameCap} bytes on a client's frame", lost.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OversizedFrame_FromAClient_SchedulerSaysWhyBeforeItCloses()
    {
        const string secret = "oversized-frame";
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--secret", secret);
        await using var _ = scheduler;
        await using var client = await RoguePeer.ConnectAsync(address, PeerRole.Client, "oversized", secret);
        // What a client that does not split its submissions sends: one task too big for a frame.
        var submit = new SubmitTasks { Request = 1 };
        submit.Tasks.Add(new SubmittedTaskSpec { Tag = 1, Name = new string('n', ClientFrameCap) });

        client.Send(new ClusterEnvelope { Submit = submit });
        var refused = await client.ReceiveAsync(ClusterEnvelope.BodyOneofCase.Refused);

        Assert.Matches($"^a frame of \\d+ bytes is over the scheduler's cap of {ClientFrameCap} bytes on a client's frame", refused.Refused.Reason);
    }
}
