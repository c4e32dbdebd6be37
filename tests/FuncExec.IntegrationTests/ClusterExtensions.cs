namespace FuncExec.IntegrationTests;

/// <summary>One task description run on its own, as many tests do.</summary>
internal static class ClusterExtensions
{
    public static async Task<TaskReport> RunAsync(this ICluster cluster, TaskSpec task, CancellationToken cancellationToken = default) =>
        (await cluster.RunAsync([task], null, cancellationToken).ConfigureAwait(false))[0];
}
