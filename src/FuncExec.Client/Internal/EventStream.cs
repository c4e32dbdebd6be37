using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace FuncExec.Client.Internal;

/// <summary>Turns event callbacks into an <see cref="IAsyncEnumerable{T}"/>.</summary>
/// <remarks>It listens from the moment it is opened, not from the first read, so work submitted
/// between opening and reading is not missed. It stops listening when its reader stops or the token fires, and ends
/// when the cluster does: normally when the cluster is disposed, with the error when the scheduler is gone.</remarks>
internal static class EventStream
{
    public static IAsyncEnumerable<ClusterEvent> Open(IClusterBackend backend, long computation, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<ClusterEvent>(new UnboundedChannelOptions { SingleReader = true });
        var subscription = backend.Subscribe(
            computation,
            events =>
            {
                foreach (var e in events)
                {
                    channel.Writer.TryWrite(e);
                }
            },
            error => channel.Writer.TryComplete(error));
        var registration = cancellationToken.Register(() =>
        {
            subscription.Dispose();
            channel.Writer.TryComplete(new OperationCanceledException(cancellationToken));
        });
        return ReadAsync(channel.Reader, subscription, registration, cancellationToken);
    }

    private static async IAsyncEnumerable<ClusterEvent> ReadAsync(
        ChannelReader<ClusterEvent> reader, IDisposable subscription, CancellationTokenRegistration registration, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return e;
            }
        }
        finally
        {
            subscription.Dispose();
            await registration.DisposeAsync().ConfigureAwait(false);
        }
    }
}
