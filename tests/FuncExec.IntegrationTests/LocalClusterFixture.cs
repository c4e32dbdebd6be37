using FuncExec.Client;

namespace FuncExec.IntegrationTests;

/// <summary>One embedded cluster with two real worker processes, shared by a test class.</summary>
public sealed class LocalClusterFixture : IAsyncLifetime
{
    internal LocalCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 2 });

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
