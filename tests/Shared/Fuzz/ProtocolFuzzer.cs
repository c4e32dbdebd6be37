using System.Buffers;
using System.Net.Sockets;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.V1;

namespace FuncExec.Tests.Fuzz;

/// <summary>
/// Opens connection after connection to a scheduler and sends them what <see cref="EnvelopeFuzzer"/>
/// makes: as a stranger (hostile frames where the Hello belongs), and as a client or a node after a
/// real handshake with the cluster secret (<see cref="Handshake.ConnectAsync(Stream, PeerRole, string, TransportSecurity, TimeSpan, CancellationToken)"/>).
/// </summary>
/// <remarks>
/// The scheduler may close any of these connections at any frame: that is what hostile input should
/// get, so a refused write or a reset ends the connection here and the loop opens the next. What
/// the scheduler sends back is read and dropped, so its writes never stall on us.
/// </remarks>
internal sealed class ProtocolFuzzer(string host, int port, TransportSecurity security)
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(5);

    private long _frames;
    private long _connections;
    private long _handshakes;
    private long _handshakeFailures;
    private long _lingering;

    /// <summary>The most frames one authenticated connection sends before it closes (64).</summary>
    public int MaxFramesPerConnection { get; init; } = 64;

    /// <summary>Frames written so far.</summary>
    public long Frames => Interlocked.Read(ref _frames);

    /// <summary>Connections opened so far.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Handshakes as a client or node that the scheduler completed.</summary>
    public long Handshakes => Interlocked.Read(ref _handshakes);

    /// <summary>Handshakes that failed (refused, timed out, or closed).</summary>
    public long HandshakeFailures => Interlocked.Read(ref _handshakeFailures);

    /// <summary>Authenticated connections the scheduler had not closed 5 s after ours ended.</summary>
    public long Lingering => Interlocked.Read(ref _lingering);

    /// <summary>For each body case of the envelope, as a client and as a node, one connection that sends a few envelopes of it.</summary>
    public async Task SendEveryBodyCaseAsync(int seed, CancellationToken cancellationToken = default)
    {
        var fuzzer = new EnvelopeFuzzer(new Random(seed));
        foreach (var body in EnvelopeFuzzer.BodyCases)
        {
            foreach (var role in (FuzzRole[])[FuzzRole.Client, FuzzRole.Node])
            {
                await GuardAsync(() => AuthenticatedAsync(role, [.. Enumerable.Range(0, 4).Select(_ => EnvelopeFuzzer.Frame(fuzzer.NextEnvelope(body)))], cancellationToken), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs <paramref name="parallel"/> connection loops until <paramref name="frameBudget"/> frames are written or the token fires.</summary>
    public Task RunAsync(int parallel, int seed, long frameBudget, CancellationToken cancellationToken = default) =>
        Task.WhenAll(Enumerable.Range(0, parallel).Select(i => Task.Run(() => LoopAsync(new Random(seed + i), frameBudget, cancellationToken), CancellationToken.None)));

    private async Task LoopAsync(Random random, long frameBudget, CancellationToken cancellationToken)
    {
        var fuzzer = new EnvelopeFuzzer(random);
        while (!cancellationToken.IsCancellationRequested && Frames < frameBudget)
        {
            var role = (FuzzRole)random.Next(3);
            await GuardAsync(
                () => role == FuzzRole.Stranger
                    ? StrangerAsync(fuzzer, random, cancellationToken)
                    : AuthenticatedAsync(role, [.. NextFrames(fuzzer, random)], cancellationToken),
                cancellationToken).ConfigureAwait(false);
        }
    }

    private IEnumerable<byte[]> NextFrames(EnvelopeFuzzer fuzzer, Random random)
    {
        for (var i = random.Next(1, MaxFramesPerConnection + 1); i > 0; i--)
        {
            yield return fuzzer.NextFrame();
        }

        if (random.Next(4) == 0)
        {
            yield return fuzzer.NextBreakingFrame();
        }
    }

    private static async Task GuardAsync(Func<Task> connection, CancellationToken cancellationToken)
    {
        try
        {
            await connection().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // The scheduler closed the connection: what hostile frames should get. (PeerProtocolException is an IOException.)
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run is over.
        }
    }

    private async Task StrangerAsync(EnvelopeFuzzer fuzzer, Random random, CancellationToken cancellationToken)
    {
        using var tcp = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var stream = tcp.GetStream();
        var frame = random.Next(3) switch
        {
            0 => fuzzer.NextHello(),
            1 => fuzzer.NextFrame(),
            _ => fuzzer.NextBreakingFrame(),
        };
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _frames);
    }

    private async Task AuthenticatedAsync(FuzzRole role, IReadOnlyList<byte[]> frames, CancellationToken cancellationToken)
    {
        using var tcp = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var stream = await SecureTransport.ConnectAsync(tcp.GetStream(), host, security, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                await Handshake.ConnectAsync(stream, role == FuzzRole.Node ? PeerRole.Node : PeerRole.Client, $"fuzz-{role}-{Environment.CurrentManagedThreadId}", security, HandshakeTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                Interlocked.Increment(ref _handshakeFailures);
                throw;
            }

            Interlocked.Increment(ref _handshakes);
            var drain = DrainAsync(stream, cancellationToken);
            try
            {
                var batch = new ArrayBufferWriter<byte>();
                var inBatch = 0;
                for (var i = 0; i < frames.Count; i++)
                {
                    batch.Write(frames[i]);
                    inBatch++;
                    if (batch.WrittenCount >= 64 * 1024 || i == frames.Count - 1)
                    {
                        await stream.WriteAsync(batch.WrittenMemory, cancellationToken).ConfigureAwait(false);
                        Interlocked.Add(ref _frames, inBatch);
                        batch.Clear();
                        inBatch = 0;
                    }
                }
            }
            finally
            {
                await CloseAsync(tcp, drain, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Closes our side and waits a while for the scheduler to close its own, so it reads every frame before the connection goes.</summary>
    private async Task CloseAsync(TcpClient tcp, Task drain, CancellationToken cancellationToken)
    {
        try
        {
            tcp.Client.Shutdown(SocketShutdown.Send);
            await drain.WaitAsync(CloseWait, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Already closed, or the run is over.
        }
        catch (TimeoutException)
        {
            // The scheduler kept the connection after ours ended; counted, then cut.
            Interlocked.Increment(ref _lingering);
        }

        tcp.Close();
        await drain.ConfigureAwait(false);
    }

    private async Task<TcpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }

        Interlocked.Increment(ref _connections);
        return tcp;
    }

    /// <summary>Reads and drops what the other side sends until it closes.</summary>
    public static async Task DrainAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Closed by either side.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
