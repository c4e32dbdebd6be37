using System.IO.Pipelines;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Tests.Support;
using FuncExec.Protocol.V1;

namespace FuncExec.Protocol.Tests.Connections;

public sealed class DuplexPipeStreamTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    [Fact]
    public async Task WriteAsync_OnOneEnd_ReadAsyncOnTheOther()
    {
        var (leftPipe, rightPipe) = TestDuplexPipe.CreatePair();
        await using var left = new DuplexPipeStream(leftPipe);
        await using var right = new DuplexPipeStream(rightPipe);

        await left.WriteAsync("hello"u8.ToArray());
        await right.WriteAsync("world!"u8.ToArray());
        var fromLeft = new byte[5];
        var fromRight = new byte[6];
        await right.ReadExactlyAsync(fromLeft).Within();
        await left.ReadExactlyAsync(fromRight).Within();

        Assert.Equal("hello"u8.ToArray(), fromLeft);
        Assert.Equal("world!"u8.ToArray(), fromRight);
    }

    [Fact]
    public async Task ReadAsync_SmallBuffer_ReturnsTheRestOnTheNextRead()
    {
        var (leftPipe, rightPipe) = TestDuplexPipe.CreatePair();
        await using var left = new DuplexPipeStream(leftPipe);
        await using var right = new DuplexPipeStream(rightPipe);
        await left.WriteAsync(new byte[] { 1, 2, 3, 4, 5 });

        var buffer = new byte[3];
        var first = await right.ReadAsync(buffer).Within();
        var second = await right.ReadAsync(buffer.AsMemory(first)).Within();

        Assert.Equal(3, first);
        Assert.Equal(0, second);
        var rest = new byte[2];
        Assert.Equal(2, await right.ReadAsync(rest).Within());
        Assert.Equal(new byte[] { 4, 5 }, rest);
    }

    [Fact]
    public async Task ReadAsync_OtherEndDisposed_ReturnsZero()
    {
        var (leftPipe, rightPipe) = TestDuplexPipe.CreatePair();
        var left = new DuplexPipeStream(leftPipe);
        await using var right = new DuplexPipeStream(rightPipe);

        await left.WriteAsync(new byte[] { 7 });
        await left.DisposeAsync();

        var buffer = new byte[4];
        Assert.Equal(1, await right.ReadAsync(buffer).Within());
        Assert.Equal(0, await right.ReadAsync(buffer).Within());
    }

    [Fact]
    public async Task WriteAsync_OtherEndDisposed_ThrowsIOException()
    {
        var (leftPipe, rightPipe) = TestDuplexPipe.CreatePair();
        await using var left = new DuplexPipeStream(leftPipe);
        var right = new DuplexPipeStream(rightPipe);

        await right.DisposeAsync();

        await Assert.ThrowsAsync<IOException>(() => left.WriteAsync(new byte[] { 1 }).AsTask());
    }

    [Fact]
    public async Task ReadAsync_Cancelled_ThrowsOperationCanceled()
    {
        var (leftPipe, _) = TestDuplexPipe.CreatePair();
        await using var left = new DuplexPipeStream(leftPipe);
        using var cancel = new CancellationTokenSource();

        var reading = left.ReadAsync(new byte[4], cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading.Within());
    }

    [Fact]
    public async Task Dispose_LeaveOpen_DoesNotCompleteThePipes()
    {
        var (leftPipe, rightPipe) = TestDuplexPipe.CreatePair();
        await new DuplexPipeStream(leftPipe, leaveOpen: true).DisposeAsync();

        await leftPipe.Output.WriteAsync(new byte[] { 9 });
        var read = await rightPipe.Input.ReadAsync().Within();

        Assert.Equal(1, read.Buffer.Length);
        Assert.False(read.IsCompleted);
    }

    [Fact]
    public async Task HandshakeAndFrameConnection_OverPipes_Work()
    {
        var (leftPipe, rightPipe) = TestDuplexPipe.CreatePair();
        var security = new TransportSecurity("s3cret");
        var accepting = Handshake.AcceptAsync(
            new DuplexPipeStream(rightPipe), security, "sched", _ => new Welcome { Session = 5 }, Patience.Timeout);
        var peerStream = new DuplexPipeStream(leftPipe);

        var result = await Handshake.ConnectAsync(peerStream, PeerRole.Node, "n1", security, Patience.Timeout).Within();
        var peer = await accepting.Within();

        Assert.Equal(5, result.Session);
        Assert.Equal("n1", peer.Name);
    }

    [Fact]
    public async Task SecureTransport_TlsOverPipes_CarriesFrames()
    {
        var (leftPipe, rightPipe) = TestDuplexPipe.CreatePair();
        var schedulerSecurity = new TransportSecurity("s3cret", certificates.CertFile, certificates.KeyFile);
        var peerSecurity = new TransportSecurity("s3cret", certificates.CertFile);
        var accepting = AcceptAsync(new DuplexPipeStream(rightPipe), schedulerSecurity);

        var peerStream = await SecureTransport.ConnectAsync(new DuplexPipeStream(leftPipe), "localhost", peerSecurity).Within();
        var result = await Handshake.ConnectAsync(peerStream, PeerRole.Client, "c1", peerSecurity, Patience.Timeout).Within();
        var schedulerStream = await accepting.Within();
        await using var peer = new FrameConnection(peerStream, "sched", new RecordingLogger());
        await using var scheduler = new FrameConnection(schedulerStream, "c1", new RecordingLogger());
        var received = new TaskCompletionSource<ClusterEnvelope>(TaskCreationOptions.RunContinuationsAsynchronously);
        scheduler.Start(frame =>
        {
            received.TrySetResult(frame);
            return ValueTask.CompletedTask;
        });
        peer.Start(_ => ValueTask.CompletedTask);
        peer.Post(new ClusterEnvelope { Submit = new SubmitTasks { Request = 17 } });

        Assert.Equal(17, (await received.Task.Within()).Submit.Request);
        Assert.Equal("sched", result.SchedulerName);

        static async Task<Stream> AcceptAsync(Stream raw, TransportSecurity security)
        {
            var stream = await SecureTransport.AcceptAsync(raw, security);
            await Handshake.AcceptAsync(stream, security, "sched", _ => new Welcome(), Patience.Timeout);
            return stream;
        }
    }

    [Fact]
    public async Task FrameConnection_OverPipes_ClosesBothEnds()
    {
        var (leftPipe, rightPipe) = TestDuplexPipe.CreatePair();
        await using var left = new FrameConnection(new DuplexPipeStream(leftPipe), "right", new RecordingLogger());
        await using var right = new FrameConnection(new DuplexPipeStream(rightPipe), "left", new RecordingLogger());
        left.Start(_ => ValueTask.CompletedTask);
        right.Start(_ => ValueTask.CompletedTask);

        await left.CloseAsync("done").Within();

        Assert.Equal(CloseReasonKind.PeerClosed, (await right.Completion.Within()).Kind);
    }

    [Fact]
    public void Members_SeekAndLength_NotSupported()
    {
        using var stream = new DuplexPipeStream(new TestDuplexPipe(new Pipe().Reader, new Pipe().Writer));

        Assert.True(stream.CanRead && stream.CanWrite);
        Assert.False(stream.CanSeek);
        Assert.Throws<NotSupportedException>(() => stream.Length);
        Assert.Throws<NotSupportedException>(() => stream.Seek(0, SeekOrigin.Begin));
    }
}
