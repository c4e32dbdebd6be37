using FuncExec.Client;

namespace FuncExec.IntegrationTests.Api;

/// <summary>One embedded cluster with two workers, through the public entry point, shared by a test class.</summary>
public sealed class ApiClusterFixture : IAsyncLifetime
{
    public ICluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await FuncExec.Cluster.StartLocalAsync(new LocalClusterOptions { Workers = 2 });

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
