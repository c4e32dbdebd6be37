using FuncExec.Client;
using FuncExec.Protocol.Connections;
using Microsoft.Extensions.Logging;

namespace FuncExec.Cli.SshCluster;

/// <summary>Asks a scheduler for its status (as <c>funcexec status</c> does) until the named nodes have joined it.</summary>
internal sealed class JoinWaiter(ILogger logger, TimeProvider timeProvider)
{
    /// <summary>How often the scheduler is asked again.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Waits until every name in <paramref name="names"/> is a node of the scheduler at <paramref name="address"/>, or <paramref name="timeout"/> passes.</summary>
    /// <returns>The names that have not joined; empty when all have.</returns>
    /// <exception cref="FuncExecException">The scheduler does not answer.</exception>
    /// <exception cref="PeerProtocolException">The scheduler refused us: secret, TLS or version.</exception>
    public async Task<IReadOnlyList<string>> WaitAsync(
        string address, TransportSecurity security, IReadOnlyCollection<string> names, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(names);
        var start = timeProvider.GetTimestamp();
        await using var cluster = await RemoteCluster.ConnectAsync(address, new RemoteClusterOptions { Security = security, ReattachTime = TimeSpan.Zero }, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var status = await cluster.QueryStatusAsync(cancellationToken).ConfigureAwait(false);
            var joined = status.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            var missing = names.Where(name => !joined.Contains(name)).ToList();
            if (missing.Count == 0 || timeProvider.GetElapsedTime(start) >= timeout)
            {
                return missing;
            }

            ClusterLog.Waiting(logger, string.Join(", ", missing), address);
            await Task.Delay(PollInterval, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }
}
