using System.Net.Sockets;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.V1;
using FuncExec.Tests.Fuzz;

namespace FuncExec.IntegrationTests.Hostile;

/// <summary>
/// A scheduler impostor that knows the cluster secret: it accepts a real node's connections with the
/// real handshake, then sends each session hostile frames (every envelope body case with hostile
/// fields, flipped bytes, a breaking frame now and then) and closes it, so the node must survive
/// and rejoin again and again.
/// </summary>
internal sealed class FuzzingScheduler(TcpListener listener, TransportSecurity security, int seed)
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private readonly Random _random = new(seed);
    private int _sessions;
    private long _frames;

    /// <summary>Sessions whose handshake completed.</summary>
    public int Sessions => Volatile.Read(ref _sessions);

    /// <summary>Frames written to the node.</summary>
    public long Frames => Interlocked.Read(ref _frames);

    /// <summary>Serves the node's sessions with hostile frames until the token fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var fuzzer = new EnvelopeFuzzer(_random);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var tcp = await listener.AcceptTcpClientAsync(cancellationToken);
                var (stream, _) = await AcceptAsync(tcp, cancellationToken);
                await using (stream)
                {
                    var drain = ProtocolFuzzer.DrainAsync(stream, cancellationToken);
                    for (var i = _random.Next(1, 200); i > 0; i--)
                    {
                        await stream.WriteAsync(fuzzer.NextFrame(), cancellationToken);
                        Interlocked.Increment(ref _frames);
                    }

                    if (_random.Next(4) == 0)
                    {
                        await stream.WriteAsync(fuzzer.NextBreakingFrame(), cancellationToken);
                        Interlocked.Increment(ref _frames);
                    }

                    // Our end first, so the node reads every frame before the connection goes.
                    tcp.Client.Shutdown(SocketShutdown.Send);
                    try
                    {
                        await drain.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                    }
                    catch (TimeoutException)
                    {
                        // The node kept the session after ours ended; cut it.
                    }

                    tcp.Close();
                    await drain;
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                // The node closed the session on a hostile frame: what it should do.
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Accepts the node's next connection and completes the handshake: it is up and rejoining.</summary>
    public async Task<PeerHello> AcceptRejoinAsync(CancellationToken cancellationToken)
    {
        using var tcp = await listener.AcceptTcpClientAsync(cancellationToken);
        var (stream, hello) = await AcceptAsync(tcp, cancellationToken);
        await stream.DisposeAsync();
        return hello;
    }

    private async Task<(Stream Stream, PeerHello Hello)> AcceptAsync(TcpClient tcp, CancellationToken cancellationToken)
    {
        var stream = await SecureTransport.AcceptAsync(tcp.GetStream(), security, cancellationToken);
        var hello = await Handshake.AcceptAsync(stream, security, "fuzzing-scheduler", _ => new Welcome { Session = 1, PulseIntervalMs = 1000 }, HandshakeTimeout, cancellationToken);
        Interlocked.Increment(ref _sessions);
        return (stream, hello);
    }
}
