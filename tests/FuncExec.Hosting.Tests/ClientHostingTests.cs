using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FuncExec.Hosting.Tests;

/// <summary><c>AddFuncExecClient</c> with an embedded cluster: real worker processes, started and disposed with the host.</summary>
public sealed class ClientHostingTests
{
    [Fact]
    public async Task AddFuncExecClient_EmbeddedFromConfiguration_RunsATaskAndIsDisposedWithTheHost()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([new("FuncExec:Client:Workers", "1")]);
        builder.Services.AddFuncExecClient(builder.Configuration.GetSection("FuncExec"));
        ICluster cluster;
        using (var host = builder.Build())
        {
            var early = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<ICluster>());
            Assert.Contains("once the host has started", early.Message, StringComparison.Ordinal);

            await host.StartAsync();
            cluster = host.Services.GetRequiredService<ICluster>();
            Assert.Equal(1, cluster.WorkerCount);
            await using (var computation = await cluster.ScheduleAsync())
            {
                Assert.Equal(4.0, await computation.RunAsync(() => Math.Sqrt(16.0)));
            }

            await host.StopAsync();
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(() => cluster.ScheduleAsync());
    }

    [Fact]
    public async Task AddFuncExecClient_InvalidSchedulerAddress_StartFailsNamingTheSetting()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([new("FuncExec:Client:Scheduler", "host:notaport"), new("FuncExec:Client:ConnectTimeout", "00:00:00")]);
        builder.Services.AddFuncExecClient();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("FuncExec:Client:Scheduler", error.Message, StringComparison.Ordinal);
        Assert.Contains("FuncExec:Client:ConnectTimeout must be more than 0", error.Message, StringComparison.Ordinal);
    }
}
