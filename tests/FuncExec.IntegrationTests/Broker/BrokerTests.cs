using System.Diagnostics;
using System.Text;
using System.Text.Json;
using FuncExec.Broker;
using FuncExec.Client;
using FuncExec.Core.Tasks;
using FuncExec.TestJobs;
using RabbitMQ.Client;

namespace FuncExec.IntegrationTests.Broker;

/// <summary>The task queue on a real rabbitmq-server: producers, <c>funcexec broker serve</c>, results.</summary>
public sealed class BrokerTests(RabbitMqBroker broker) : IClassFixture<RabbitMqBroker>
{
    private static readonly string JobsAssembly = typeof(ApiJobs).Assembly.Location;

    [Fact]
    public async Task Serve_TwoProducers200Tasks_EveryResultOnceWithItsValue()
    {
        var (queue, results) = Names();
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 2 });
        var server = new BrokerServer(broker.Url, cluster, new BrokerServerOptions { Queue = queue });
        using var stop = new CancellationTokenSource();
        var serving = server.RunAsync(stop.Token);

        var options = new BrokerClientOptions { Queue = queue, ResultQueue = results };
        await using var first = await BrokerClient.ConnectAsync(broker.Url, options);
        await using var second = await BrokerClient.ConnectAsync(broker.Url, options);
        var submits = await Task.WhenAll(
            first.SubmitAllAsync([.. Enumerable.Range(0, 100).Select(i => TaskSpec.ForMethod("System.Math.Max", i, -1))]),
            second.SubmitAllAsync([.. Enumerable.Range(100, 100).Select(i => TaskSpec.ForMethod("System.Math.Max", i, -1))]));
        var expected = submits.SelectMany(s => s).Select((task, i) => (task.Id, Value: i)).ToDictionary(t => t.Id, t => t.Value);

        Assert.True(await Tasks.EventuallyAsync(() => server.Completed == 200, seconds: 120), $"{server.Completed} of 200 tasks answered");
        await stop.CancelAsync();
        await serving;

        var lines = await DrainAsync(results);
        Assert.Equal(200, lines.Count);
        Assert.Equal(200, lines.Select(l => l.GetProperty("task_id").GetString()).Distinct().Count());
        foreach (var line in lines)
        {
            Assert.Equal("succeeded", line.GetProperty("status").GetString());
            Assert.Equal(expected[line.GetProperty("task_id").GetString()!], line.GetProperty("result").GetInt32());
        }
    }

    [Fact]
    public async Task ServeProcess_KilledMidRun_SecondServeAnswersEveryTask()
    {
        var (queue, results) = Names();
        const int count = 30;
        await using (var client = await BrokerClient.ConnectAsync(broker.Url, new BrokerClientOptions { Queue = queue, ResultQueue = results }))
        {
            await client.SubmitAllAsync([.. Enumerable.Range(0, count).Select(i => Sleep(i, 200))]);
        }

        await using var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        using (var doomed = StartServe(queue))
        {
            // Killed once results flow, with tasks in hand that it has not answered.
            Assert.True(await Tasks.EventuallyAsync(() => channel.MessageCountAsync(results).Result >= 2, seconds: 120), "the first server answered nothing");
            doomed.Kill(entireProcessTree: true);
            await doomed.WaitForExitAsync();
        }

        Assert.True(await channel.MessageCountAsync(results) < count, "the first server answered everything before it was killed");
        using var second = StartServe(queue);
        try
        {
            var lines = new List<JsonElement>();
            Assert.True(
                await Tasks.EventuallyAsync(() => { lines.AddRange(DrainAsync(results).Result); return lines.Select(TaskId).Distinct().Count() == count; }, seconds: 120),
                $"{lines.Select(TaskId).Distinct().Count()} of {count} tasks answered");
            Assert.All(lines, l => Assert.Equal("succeeded", l.GetProperty("status").GetString()));
            Assert.Contains(lines, l => l.GetProperty("redelivered").GetBoolean());
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Serve_SchedulerGoesAway_ServerStopsAndItsTasksGoBackForAnother()
    {
        var (queue, results) = Names();
        const int count = 20;
        await using (var client = await BrokerClient.ConnectAsync(broker.Url, new BrokerClientOptions { Queue = queue, ResultQueue = results }))
        {
            await client.SubmitAllAsync([.. Enumerable.Range(0, count).Select(i => Sleep(i, 300))]);
        }

        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync();
        await using (scheduler)
        await using (var node = FuncexecProcess.Start("node", "--scheduler", address, "-c", "2"))
        {
            await node.WaitForAsync("joined scheduler");
            // The scheduler goes for good: the client waits 2 s for it to come back (60 s by default), then gives up.
            await using var remote = await RemoteCluster.ConnectAsync(address, new RemoteClusterOptions { ReattachTime = TimeSpan.FromSeconds(2) });
            var server = new BrokerServer(broker.Url, remote, new BrokerServerOptions { Queue = queue });
            var serving = server.RunAsync();
            Assert.True(await Tasks.EventuallyAsync(() => server.Completed >= 1, seconds: 120), "nothing answered before the scheduler went");

            scheduler.Kill();

            // It stops, rather than taking the same tasks off the queue and handing them back for ever.
            var gone = await Assert.ThrowsAsync<ClusterGoneException>(() => serving.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("went back to the queue", gone.Message, StringComparison.Ordinal);
            Assert.True(server.Completed < count, "every task was answered before the scheduler went");
        }

        // Nothing is lost: another server answers every task the first one did not.
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 2 });
        var second = new BrokerServer(broker.Url, cluster, new BrokerServerOptions { Queue = queue });
        using var stop = new CancellationTokenSource();
        var secondServing = second.RunAsync(stop.Token);
        var lines = new List<JsonElement>();
        Assert.True(
            await Tasks.EventuallyAsync(() => { lines.AddRange(DrainAsync(results).Result); return lines.Select(TaskId).Distinct().Count() == count; }, seconds: 120),
            $"{lines.Select(TaskId).Distinct().Count()} of {count} tasks answered");
        await stop.CancelAsync();
        await secondServing;
    }

    [Fact]
    public async Task Serve_MalformedMessages_DeadLetteredWithErrorsAndNeighboursSucceed()
    {
        var (queue, results) = Names();
        await using var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await using (await BrokerClient.ConnectAsync(broker.Url, new BrokerClientOptions { Queue = queue, ResultQueue = results }))
        {
            // Declares the queues.
        }

        string[] bodies =
        [
            """{"function": "System.Math.Max", "params": [1, 2]}""",
            """{"function": "System.Math.Max", "params": [1, 2""",
            """{"function": "System.Math.Max", "parms": [1, 2]}""",
            """{"name": "nothing to call"}""",
            """{"function": "System.Math.Min", "params": [1, 2]}""",
        ];
        for (var i = 0; i < bodies.Length; i++)
        {
            var properties = new BasicProperties { Persistent = true, MessageId = $"m{i}", ReplyTo = results };
            await channel.BasicPublishAsync("", queue, mandatory: true, properties, Encoding.UTF8.GetBytes(bodies[i]));
        }

        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1 });
        var server = new BrokerServer(broker.Url, cluster, new BrokerServerOptions { Queue = queue });
        using var stop = new CancellationTokenSource();
        var serving = server.RunAsync(stop.Token);
        Assert.True(await Tasks.EventuallyAsync(() => server.Completed + server.DeadLettered == 5, seconds: 60));
        await stop.CancelAsync();
        await serving;

        var byId = (await DrainAsync(results)).ToDictionary(TaskId);
        Assert.Equal(2, byId["m0"].GetProperty("result").GetInt32());
        Assert.Equal(1, byId["m4"].GetProperty("result").GetInt32());
        Assert.Contains("invalid JSON", Error(byId["m1"]), StringComparison.Ordinal);
        Assert.Contains("unknown key 'parms'", Error(byId["m2"]), StringComparison.Ordinal);
        Assert.Contains("none of 'function', 'code' or 'command'", Error(byId["m3"]), StringComparison.Ordinal);
        Assert.Equal(3u, await channel.MessageCountAsync(queue + ".dead"));
        Assert.Equal(0u, await channel.MessageCountAsync(queue));
    }

    [Fact]
    public async Task Serve_QueueHoldsMixedPriorities_HigherPriorityDeliveredFirst()
    {
        var (queue, results) = Names();
        await using (var client = await BrokerClient.ConnectAsync(broker.Url, new BrokerClientOptions { Queue = queue, ResultQueue = results }))
        {
            // All queued before anyone consumes: the broker orders them by priority, not by arrival.
            await client.SubmitAllAsync([
                .. Enumerable.Range(0, 5).Select(i => TaskSpec.ForMethod("System.Math.Abs", -i) with { Name = $"low-{i}", Priority = 1 }),
                .. Enumerable.Range(0, 5).Select(i => TaskSpec.ForMethod("System.Math.Abs", -i) with { Name = $"high-{i}", Priority = 9 })]);
        }

        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1 });
        var server = new BrokerServer(broker.Url, cluster, new BrokerServerOptions { Queue = queue, Prefetch = 1 });
        using var stop = new CancellationTokenSource();
        var serving = server.RunAsync(stop.Token);
        Assert.True(await Tasks.EventuallyAsync(() => server.Completed == 10, seconds: 60));
        await stop.CancelAsync();
        await serving;

        var names = (await DrainAsync(results)).Select(l => l.GetProperty("name").GetString()!).ToList();
        Assert.Equal(10, names.Count);
        Assert.All(names.Take(5), n => Assert.StartsWith("high-", n, StringComparison.Ordinal));
        Assert.All(names.Skip(5), n => Assert.StartsWith("low-", n, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SubmitWait_Cli_PrintsResultsInFileOrder()
    {
        var (queue, _) = Names();
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 2 });
        var server = new BrokerServer(broker.Url, cluster, new BrokerServerOptions { Queue = queue });
        using var stop = new CancellationTokenSource();
        var serving = server.RunAsync(stop.Token);
        var file = Path.Combine(Directory.CreateTempSubdirectory("funcexec-broker-").FullName, "tasks.yaml");
        await File.WriteAllTextAsync(file, """
            - name: slow
              function: System.Math.Max
              params: [3, 7]
            - name: fails
              code: "throw new System.InvalidOperationException(\"no\");"
            - command: echo
              args: [hi]
            """);
        try
        {
            var (exit, stdout, stderr) = await Funcexec.RunAsync("broker", "submit", file, "--broker", broker.Url, "--queue", queue, "--wait");
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.True(exit == 1, $"exit {exit}: {stderr}");
            Assert.Equal(["slow", "fails", "task-3"], lines.Select(l => l.GetProperty("name").GetString()));
            Assert.Equal(7, lines[0].GetProperty("result").GetInt32());
            Assert.Equal("failed", lines[1].GetProperty("status").GetString());
            Assert.Equal("hi\n", lines[2].GetProperty("result").GetProperty("stdout").GetString());
            Assert.All(lines, l => Assert.False(string.IsNullOrEmpty(l.GetProperty("task_id").GetString())));
            Assert.Contains("1 of 3 tasks did not succeed", stderr, StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
            await serving;
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Fact]
    public async Task Submit_UnreachableBroker_FailsNamingUrlWithoutPassword()
    {
        var file = Path.Combine(Funcexec.RepositoryRoot(), "examples", "tasks.yaml");
        var url = $"amqp://someone:hunter2@127.0.0.1:{ClosedPort()}/";
        var (exit, _, stderr) = await Funcexec.RunAsync("broker", "submit", file, "--broker", url);
        Assert.Equal(2, exit);
        Assert.Contains($"amqp://someone:***@127.0.0.1:", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", stderr, StringComparison.Ordinal);
    }

    private static (string Queue, string Results) Names()
    {
        var queue = $"test.{Guid.NewGuid():N}";
        return (queue, queue + ".results");
    }

    private static TaskSpec Sleep(int index, int milliseconds) =>
        TaskSpec.ForMethod("FuncExec.TestJobs.ApiJobs.Sleep", milliseconds) with { Name = $"sleep-{index}", Assembly = JobsAssembly };

    private static string TaskId(JsonElement line) => line.GetProperty("task_id").GetString()!;

    private static string Error(JsonElement line) => line.GetProperty("error").GetProperty("message").GetString()!;

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Process StartServe(string queue) =>
        Process.Start(Funcexec.StartInfo("broker", "serve", "--broker", broker.Url, "--queue", queue, "--workers", "2"))!;

    /// <summary>Takes every message now in <paramref name="queue"/>.</summary>
    private async Task<List<JsonElement>> DrainAsync(string queue)
    {
        await using var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var lines = new List<JsonElement>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
        {
            lines.Add(JsonDocument.Parse(message.Body).RootElement.Clone());
        }

        return lines;
    }
}
