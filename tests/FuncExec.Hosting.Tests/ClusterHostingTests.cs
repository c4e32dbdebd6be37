using FuncExec.Hosting.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FuncExec.Hosting.Tests;

/// <summary>A scheduler, a node and a remote client, each from <c>AddFuncExec*</c>, on 127.0.0.1.</summary>
public sealed class ClusterHostingTests
{
    private const string Secret = "hosting-tests-secret";

    [Fact]
    public async Task AddFuncExecSchedulerNodeAndClient_OnLoopback_RunATask()
    {
        var state = TestHome.NewFolder("funcexec-hosting-scheduler-");
        var schedulerBuilder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        schedulerBuilder.Configuration.AddInMemoryCollection(
        [
            new("FuncExec:Scheduler:IpAddr", "127.0.0.1"),
            new("FuncExec:Scheduler:Port", "0"),
            new("FuncExec:Scheduler:UdpPort", "0"),
            new("FuncExec:Scheduler:Dashboard", "false"),
            new("FuncExec:Scheduler:NoJournal", "true"),
            new("FuncExec:Scheduler:StateDir", state),
            new("FuncExec:Scheduler:Secret", Secret),
        ]);
        schedulerBuilder.Services.AddFuncExecScheduler(schedulerBuilder.Configuration.GetSection("FuncExec"));
        using var schedulerHost = schedulerBuilder.Build();
        await schedulerHost.StartAsync();
        var address = $"127.0.0.1:{schedulerHost.Services.GetRequiredService<SchedulerHost>().Server.Endpoint.Port}";

        // The node and the client in one host, as an app that both serves work and submits it.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddFuncExecNode(node =>
        {
            node.Scheduler = address;
            node.Cpus = 1;
            node.Secret = Secret;
            node.Name = "hosted-node";
        });
        builder.Services.AddFuncExecClient(client =>
        {
            client.Scheduler = address;
            client.Secret = Secret;
        });
        using var host = builder.Build();
        await host.StartAsync();
        var cluster = host.Services.GetRequiredService<ICluster>();
        await WaitForWorkersAsync(cluster, 1);

        await using (var computation = await cluster.ScheduleAsync())
        {
            Assert.Equal(7, await computation.RunAsync<int>(TaskSpec.ForMethod("System.Math.Max", 3, 7)));
        }

        await host.StopAsync();
        await schedulerHost.StopAsync();
    }

    [Theory]
    [InlineData("FuncExec:Scheduler:Port", "70000", "FuncExec:Scheduler:Port must be between 0 and 65535")]
    [InlineData("FuncExec:Scheduler:PulseInterval", "00:00:00", "FuncExec:Scheduler:PulseInterval must be more than 0")]
    [InlineData("FuncExec:Scheduler:MaxFileSize", "0", "FuncExec:Scheduler:MaxFileSize must be more than 0 bytes")]
    [InlineData("FuncExec:Scheduler:Journal", " ", "FuncExec:Scheduler:Journal needs a file path or a postgres:// URL")]
    public async Task AddFuncExecScheduler_InvalidSetting_StartFailsNamingIt(string key, string value, string message)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([new(key, value)]);
        builder.Services.AddFuncExecScheduler();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddFuncExecNode_InvalidSettings_StartFailsNamingEach()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(
        [
            new("FuncExec:Node:Scheduler", "a:1,,b:2"),
            new("FuncExec:Node:DrainTimeout", "-00:00:01"),
            new("FuncExec:Node:UdpPort", "-1"),
        ]);
        builder.Services.AddFuncExecNode(builder.Configuration.GetSection("FuncExec"));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("FuncExec:Node:Scheduler: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("FuncExec:Node:DrainTimeout must not be negative", error.Message, StringComparison.Ordinal);
        Assert.Contains("FuncExec:Node:UdpPort must be between 0 and 65535", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Waits for <paramref name="count"/> ready workers: a node joins a moment after its host has started.</summary>
    internal static async Task WaitForWorkersAsync(ICluster cluster, int count)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((await cluster.WorkersAsync(guard.Token)).Count(w => w.State is "idle" or "busy") < count)
        {
            await Task.Delay(50, guard.Token);
        }
    }
}
