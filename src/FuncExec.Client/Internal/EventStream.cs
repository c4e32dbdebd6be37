using System.Runtime.CompilerServices;
using System.Threading.Channels;
using FuncExec.Core.Events;

namespace FuncExec.Client.Internal;

/// <summary>Turns event callbacks into an <see cref="IAsyncEnumerable{T}"/> that ends when its reader stops.</summary>
internal static class EventStream
{
    public static async IAsyncEnumerable<ClusterEvent> ReadAsync(
        IClusterBackend backend, long computation, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<ClusterEvent>(new UnboundedChannelOptions { SingleReader = true });
        using var subscription = backend.Subscribe(computation, events =>
        {
            foreach (var e in events)
            {
                channel.Writer.TryWrite(e);
            }
        });
        await foreach (var e in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }
}
