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

        await using (var fromFile = FuncexecProcess.Start(folder, "scheduler", "--insecure"))
        {
            await fromFile.WaitForAsync("listening on");
            Assert.Matches(@"scheduler from-file listening on 127\.0\.0\.1:\d+", fromFile.Output);
            fromFile.Terminate();
            Assert.Equal(0, await fromFile.WaitForExitAsync());
        }

        await using var fromCommandLine = FuncexecProcess.Start(folder, "scheduler", "--insecure", "--name", "from-cli");
        await fromCommandLine.WaitForAsync("listening on");
        Assert.Matches(@"scheduler from-cli listening on 127\.0\.0\.1:\d+", fromCommandLine.Output);
    }

    [Fact]
    public async Task Scheduler_MissingConfigFileOrAnInvalidSetting_ExitsWith2NamingIt()
    {
        var folder = TestHome.NewFolder("funcexec-hosting-config-");
        await using (var missing = FuncexecProcess.Start(folder, "scheduler", "--config", "nope.json"))
        {
            Assert.Equal(2, await missing.WaitForExitAsync());
            Assert.Contains($"scheduler: --config {Path.Combine(folder, "nope.json")}: no such file", missing.Output, StringComparison.Ordinal);
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "settings.json"), """{ "Scheduler": { "Port": 70000 } }""");
        await using var invalid = FuncexecProcess.Start(folder, "scheduler", "--config", "settings.json", "--no-dashboard", "--udp-port", "0");
        Assert.Equal(2, await invalid.WaitForExitAsync());
        Assert.Contains("scheduler: Scheduler:Port must be between 0 and 65535", invalid.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_SigtermWithATaskRunning_TakesNoMoreLetsItFinishThenExits0()
    {
        var folder = TestHome.NewFolder("funcexec-hosting-drain-");
        var state = TestHome.NewFolder("funcexec-hosting-drain-state-");
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
        using var schedulerHost = builder.Build();
        await schedulerHost.StartAsync();
        var address = $"127.0.0.1:{schedulerHost.Services.GetRequiredService<SchedulerHost>().Server.Endpoint.Port}";

        await using var node = FuncexecProcess.Start(folder, "node", "--scheduler", address, "-c", "1", "--secret", Secret, "--name", "draining", "--udp-port", "0");
        await node.WaitForAsync("joined scheduler");
        await using var cluster = await Cluster.ConnectAsync(address, new RemoteClusterOptions { Security = new TransportSecurity(Secret) });
        await ClusterHostingTests.WaitForWorkersAsync(cluster, 1);
        await using var computation = await cluster.ScheduleAsync();

        // The task says it started, then waits for the go-ahead the test gives once the node is draining.
        var started = Path.Combine(folder, "started");
        var go = Path.Combine(folder, "go");
        var running = await computation.SubmitAsync<JsonElement>(TaskSpec.ForCommand(
            "sh", "-c", $"touch '{started}'; while [ ! -e '{go}' ]; do sleep 0.05; done; echo finished"));
        while (!File.Exists(started))
        {
            await Task.Delay(20);
        }

        var queued = await computation.SubmitAsync<JsonElement>(TaskSpec.ForCommand("echo", "queued"));

        node.Terminate();
        await node.WaitForAsync("draining");
        await File.WriteAllTextAsync(go, "");

        var report = await running.Completion.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(TaskState.Succeeded, report.State);
        Assert.Contains("finished", report.ResultJson, StringComparison.Ordinal);
        Assert.Equal(0, await node.WaitForExitAsync());
        Assert.Contains("drained; stopping", node.Output, StringComparison.Ordinal);
        // The task queued behind it was asked back: it waits in the scheduler's queue (no node is left to run it), or, when
        // its worker had already taken it up, it ran within the drain. Either way it is not lost.
        var early = queued.Completion.IsCompleted ? await queued.Completion : null;
        Assert.True(early is null || early.State == TaskState.Succeeded, $"{early?.State} {early?.Worker} {early?.Error?.Message}\n{node.Output}");
        if (early is null)
        {
            await queued.KillAsync();
        }
        // The computation, the client and the scheduler end in turn as the test returns.
    }
}
