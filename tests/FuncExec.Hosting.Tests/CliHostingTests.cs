using System.Text.Json;
using FuncExec.Hosting.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FuncExec.Hosting.Tests;

/// <summary><c>funcexec scheduler</c> and <c>funcexec node</c> on the generic host: funcexec.json, precedence, SIGTERM.</summary>
public sealed class CliHostingTests
{
    private const string Secret = "cli-hosting-tests-secret";

    [Fact]
    public async Task Scheduler_FuncexecJsonInTheFolder_ItsSettingsApplyAndTheCommandLineWins()
    {
        var folder = TestHome.NewFolder("funcexec-hosting-json-");
        await File.WriteAllTextAsync(Path.Combine(folder, "funcexec.json"), """
            { "Scheduler": { "Port": 0, "UdpPort": 0, "Dashboard": false, "NoJournal": true, "IpAddr": "127.0.0.1", "Name": "from-file" } }
            """);

        await using (var fromFile = FuncexecProcess.StartIn(folder, "scheduler", "--insecure"))
        {
            await fromFile.WaitForAsync("listening on");
            Assert.Matches(@"scheduler from-file listening on 127\.0\.0\.1:\d+", fromFile.Output);
            fromFile.Terminate();
            Assert.Equal(0, await fromFile.WaitForExitAsync());
        }

        await using var fromCommandLine = FuncexecProcess.StartIn(folder, "scheduler", "--insecure", "--name", "from-cli");
        await fromCommandLine.WaitForAsync("listening on");
        Assert.Matches(@"scheduler from-cli listening on 127\.0\.0\.1:\d+", fromCommandLine.Output);
    }

    [Fact]
    public async Task Scheduler_MissingConfigFileOrAnInvalidSetting_ExitsWith2NamingIt()
    {
        var folder = TestHome.NewFolder("funcexec-hosting-config-");
        await using (var missing = FuncexecProcess.StartIn(folder, "scheduler", "--config", "nope.json"))
        {
            Assert.Equal(2, await missing.WaitForExitAsync());
            Assert.Contains($"scheduler: --config {Path.Combine(folder, "nope.json")}: no such file", missing.Output, StringComparison.Ordinal);
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "settings.json"), """{ "Scheduler": { "Port": 70000 } }""");
        await using var invalid = FuncexecProcess.StartIn(folder, "scheduler", "--config", "settings.json", "--no-dashboard", "--udp-port", "0");
        Assert.Equal(2, await invalid.WaitForExitAsync());
        Assert.Contains("scheduler: Scheduler:Port must be between 0 and 65535", invalid.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_SigtermWithATaskRunning_TakesNoMoreLetsItFinishHandsBackTheQueuedOneThenExits0()
    {
        await using var lab = await DrainLab.StartAsync("drain");
        await using var node = lab.StartNode("draining", "30s");
        await node.WaitForAsync("joined scheduler");
        await ClusterHostingTests.WaitForWorkersAsync(lab.Cluster, 1);
        await using var computation = await lab.Cluster.ScheduleAsync();

        // The task says it started, then waits for the go-ahead the test gives once the node is draining.
        var running = await computation.SubmitAsync<JsonElement>(lab.Blocking("first"));
        await lab.WaitStartedAsync("first");
        // Handed to the same worker, behind the running one (the only worker there is).
        var queued = await computation.SubmitAsync<JsonElement>(TaskSpec.ForCommand("echo", "queued"));

        node.Terminate();
        var workers = await lab.WaitForStateAsync("draining", "draining");
        Assert.Equal("draining", Assert.Single(workers).State);
        lab.Release("first");

        var report = await running.Completion.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(TaskState.Succeeded, report.State);
        Assert.Contains("finished", report.ResultJson, StringComparison.Ordinal);
        Assert.Equal(0, await node.WaitForExitAsync());
        Assert.Contains("drained; stopping", node.Output, StringComparison.Ordinal);
        // The queued task was handed back before the running one could end, so the draining node never ran it: it
        // waits in the scheduler's queue, and runs on the next node to join, in its first attempt.
        Assert.False(queued.Completion.IsCompleted, $"{node.Output}");
        await using var next = lab.StartNode("next", "30s");
        var late = await queued.Completion.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(TaskState.Succeeded, late.State);
        Assert.StartsWith("next/", late.Worker, StringComparison.Ordinal);
        Assert.Equal(1, late.Attempts);
    }

    [Fact]
    public async Task Node_DrainTimeoutPassesWithATaskStillRunning_KilledThereAndRunAgainElsewhereWithoutUsingAnAttempt()
    {
        await using var lab = await DrainLab.StartAsync("drain-timeout");
        await using var node = lab.StartNode("leaving", "1s");
        await node.WaitForAsync("joined scheduler");
        await ClusterHostingTests.WaitForWorkersAsync(lab.Cluster, 1);
        await using var computation = await lab.Cluster.ScheduleAsync();

        // No retries: had the node been lost rather than left, the task would fail.
        var running = await computation.SubmitAsync<JsonElement>(lab.Blocking("long"));
        await lab.WaitStartedAsync("long");

        node.Terminate();
        Assert.Equal(0, await node.WaitForExitAsync());
        Assert.Contains("still running after the drain; killing them", node.Output, StringComparison.Ordinal);
        Assert.False(running.Completion.IsCompleted);

        await using var next = lab.StartNode("next", "30s");
        await lab.WaitStartedAsync("long", second: true);
        lab.Release("long");
        var report = await running.Completion.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(TaskState.Succeeded, report.State);
        Assert.StartsWith("next/", report.Worker, StringComparison.Ordinal);
        Assert.Equal(1, report.Attempts);
    }

    /// <summary>A scheduler hosted in the test, a client of it, and nodes started as <c>funcexec node</c> processes.</summary>
    private sealed class DrainLab : IAsyncDisposable
    {
        private readonly IHost _scheduler;
        private readonly string _address;

        private DrainLab(IHost scheduler, string address, string folder, ICluster cluster)
        {
            _scheduler = scheduler;
            _address = address;
            Folder = folder;
            Cluster = cluster;
        }

        public string Folder { get; }

        public ICluster Cluster { get; }

        public static async Task<DrainLab> StartAsync(string name)
        {
            var folder = TestHome.NewFolder($"funcexec-hosting-{name}-");
            var state = TestHome.NewFolder($"funcexec-hosting-{name}-state-");
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Services.AddFuncExecScheduler(scheduler =>
            {
                scheduler.IpAddr = "127.0.0.1";
                scheduler.Port = 0;
                scheduler.UdpPort = 0;
                scheduler.Dashboard = false;
                scheduler.NoJournal = true;
                scheduler.StateDir = state;
                scheduler.Secret = Secret;
            });
            var host = builder.Build();
            await host.StartAsync();
            var address = $"127.0.0.1:{host.Services.GetRequiredService<SchedulerHost>().Server.Endpoint.Port}";
            var cluster = await FuncExec.Cluster.ConnectAsync(address, new RemoteClusterOptions { Security = new TransportSecurity(Secret) });
            return new DrainLab(host, address, folder, cluster);
        }

        public FuncexecProcess StartNode(string name, string drainTimeout) =>
            FuncexecProcess.StartIn(Folder, "node", "--scheduler", _address, "-c", "1", "--secret", Secret, "--name", name, "--udp-port", "0", "--drain-timeout", drainTimeout);

        /// <summary>A command that marks each start (<c>NAME.started</c>, then <c>NAME.started2</c>), then waits for
        /// <see cref="Release"/>, then prints <c>finished</c>.</summary>
        public TaskSpec Blocking(string name)
        {
            var mark = Path.Combine(Folder, name);
            var go = Path.Combine(Folder, name + ".go");
            return TaskSpec.ForCommand(
                "sh", "-c", $"if [ -e '{mark}.started' ]; then touch '{mark}.started2'; else touch '{mark}.started'; fi; while [ ! -e '{go}' ]; do sleep 0.05; done; echo finished");
        }

        public async Task WaitStartedAsync(string name, bool second = false)
        {
            var mark = Path.Combine(Folder, name + (second ? ".started2" : ".started"));
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (!File.Exists(mark))
            {
                await Task.Delay(20, guard.Token);
            }
        }

        public void Release(string name) => File.WriteAllText(Path.Combine(Folder, name + ".go"), "");

        /// <summary>Waits until every worker of node <paramref name="node"/> shows <paramref name="state"/>.</summary>
        public async Task<IReadOnlyList<WorkerInfo>> WaitForStateAsync(string node, string state)
        {
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (true)
            {
                var nodes = await Cluster.NodesAsync(guard.Token);
                if (nodes.SingleOrDefault(n => n.Name == node) is { } found && found.Workers.All(w => w.State == state))
                {
                    return found.Workers;
                }

                await Task.Delay(20, guard.Token);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Cluster.DisposeAsync();
            await _scheduler.StopAsync();
            _scheduler.Dispose();
        }
    }
}
