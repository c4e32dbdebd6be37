using System.Buffers.Binary;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Tests.Support;
using FuncExec.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace FuncExec.Protocol.Tests.Connections;

public sealed class FrameConnectionTests
{
    private static ClusterEnvelope Pulse(long n) => new() { Pulse = new Pulse { SentUnixUs = n } };

    [Fact]
    public async Task Post_ThousandsOfFramesEchoed_ArriveInOrderBothWays()
    {
        const int Count = 20_000;
        await using var pair = await TcpPair.CreateAsync();
        await using var left = new FrameConnection(pair.Client, "right", new RecordingLogger());
        await using var right = new FrameConnection(pair.Server, "left", new RecordingLogger());
        var echoed = new List<long>(Count);
        var rightSaw = new List<long>(Count);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        right.Start(frame =>
        {
            rightSaw.Add(frame.Pulse.SentUnixUs);
            right.Post(Pulse(-frame.Pulse.SentUnixUs));
            return ValueTask.CompletedTask;
        });
        left.Start(frame =>
        {
            echoed.Add(-frame.Pulse.SentUnixUs);
            if (echoed.Count == Count)
            {
                done.TrySetResult();
            }

            return ValueTask.CompletedTask;
        });
        for (var i = 0; i < Count; i++)
        {
            Assert.True(left.Post(Pulse(i)));
        }

        await done.Task.Within();
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), rightSaw);
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), echoed);
    }

    [Fact]
    public async Task Post_BurstQueuedBeforeStart_WrittenInOneWriteAndOneFlush()
    {
        const int Count = 1_000;
        await using var pair = await TcpPair.CreateAsync();
        var counting = new CountingStream(pair.Client);
        await using var sender = new FrameConnection(counting, "receiver", new RecordingLogger());
        await using var receiver = new FrameConnection(pair.Server, "sender", new RecordingLogger());
        var received = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Start(_ =>
        {
            if (++received == Count)
            {
                done.TrySetResult();
            }

            return ValueTask.CompletedTask;
        });

        for (var i = 0; i < Count; i++)
        {
            sender.Post(Pulse(i));
        }

        sender.Start(_ => ValueTask.CompletedTask);

        await done.Task.Within();
        // The flush may come after the receiver has everything; once closed, the write loop is done.
        await sender.CloseAsync("done").Within();
        Assert.Equal(1, counting.Writes);
        Assert.Equal(1, counting.Flushes);
    }

    [Fact]
    public async Task PostWithNext_ThenPost_BothGoInOneWriteAfterThePostedFrame()
    {
        await using var pair = await TcpPair.CreateAsync();
        var counting = new CountingStream(pair.Client);
        await using var sender = new FrameConnection(counting, "receiver", new RecordingLogger());
        await using var receiver = new FrameConnection(pair.Server, "sender", new RecordingLogger());
        var seen = new List<long>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Start(frame =>
        {
            seen.Add(frame.Pulse.SentUnixUs);
            if (seen.Count == 2)
            {
                done.TrySetResult();
            }

            return ValueTask.CompletedTask;
        });
        sender.Start(_ => ValueTask.CompletedTask);

        // An acknowledgement, say: it waits for the next frame posted, and goes in the same write after it.
        Assert.True(sender.PostWithNext(Pulse(1)));
        Assert.True(sender.Post(Pulse(2)));

        await done.Task.Within();
        Assert.Equal([2L, 1L], seen);
        await sender.CloseAsync("done").Within();
        Assert.Equal(1, counting.Writes);
    }

    [Fact]
    public async Task PostWithNext_MoreThanTheBound_TheOnePastItSendsThemAll()
    {
        const int Count = FrameConnection.MaxWithNext + 1;
        await using var pair = await TcpPair.CreateAsync();
        await using var sender = new FrameConnection(pair.Client, "receiver", new RecordingLogger());
        await using var receiver = new FrameConnection(pair.Server, "sender", new RecordingLogger());
        var seen = new List<long>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Start(frame =>
        {
            seen.Add(frame.Pulse.SentUnixUs);
            if (seen.Count == Count)
            {
                done.TrySetResult();
            }

            return ValueTask.CompletedTask;
        });
        sender.Start(_ => ValueTask.CompletedTask);

        // Nothing else is posted: the waiting frames are bounded, not kept until some later post.
        for (var i = 0; i < Count; i++)
        {
            Assert.True(sender.PostWithNext(Pulse(i)));
        }

        await done.Task.Within();
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i).Order(), seen.Order());
    }

    [Fact]
    public async Task PostWithNext_AfterTheConnectionClosed_Refused()
    {
        await using var pair = await TcpPair.CreateAsync();
        var sender = new FrameConnection(pair.Client, "receiver", new RecordingLogger());
        sender.Start(_ => ValueTask.CompletedTask);
        await sender.DisposeAsync();

        Assert.False(sender.PostWithNext(Pulse(1)));
    }

    [Fact]
    public async Task Post_LargeFrames_RoundTrip()
    {
        await using var pair = await TcpPair.CreateAsync();
        await using var sender = new FrameConnection(pair.Client, "receiver", new RecordingLogger());
        await using var receiver = new FrameConnection(pair.Server, "sender", new RecordingLogger());
        var content = Google.Protobuf.ByteString.CopyFrom(Enumerable.Range(0, 3_000_000).Select(i => (byte)i).ToArray());
        var received = new TaskCompletionSource<ClusterEnvelope>(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Start(frame =>
        {
            received.TrySetResult(frame);
            return ValueTask.CompletedTask;
        });
        sender.Start(_ => ValueTask.CompletedTask);

        sender.Post(new ClusterEnvelope { Component = new ComponentUpload { Files = { new ComponentFile { Name = "a.dll", Content = content } } } });

        Assert.Equal(content, (await received.Task.Within()).Component.Files[0].Content);
    }

    [Fact]
    public async Task Completion_PeerDisconnects_ClosesOnceAsPeerClosed()
    {
        var pair = await TcpPair.CreateAsync();
        var logger = new RecordingLogger();
        await using var connection = new FrameConnection(pair.Server, "node 'n1'", logger);
        connection.Start(_ => ValueTask.CompletedTask);

        await pair.Client.DisposeAsync();
        var reason = await connection.Completion.Within();

        Assert.Equal(new CloseReason(CloseReasonKind.PeerClosed, "the peer closed the connection"), reason);
        Assert.False(connection.Post(Pulse(1)));
        await connection.CloseAsync("late").Within();
        Assert.Equal(reason, await connection.Completion);
        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Equal("node 'n1' closed the connection: the peer closed the connection", entry.Message);
    }

    [Fact]
    public async Task Completion_PeerDisconnectsInsideFrame_ClosesAsPeerClosed()
    {
        var pair = await TcpPair.CreateAsync();
        await using var connection = new FrameConnection(pair.Server, "n1", new RecordingLogger());
        connection.Start(_ => ValueTask.CompletedTask);

        await pair.Client.WriteAsync(new byte[] { 10, 0, 0, 0, 1, 2 });
        await pair.Client.DisposeAsync();
        var reason = await connection.Completion.Within();

        Assert.Equal(CloseReasonKind.PeerClosed, reason.Kind);
        Assert.Contains("inside a frame", reason.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completion_OversizedFrame_ClosesOnceAsOversizedAndDropsTheConnection()
    {
        await using var pair = await TcpPair.CreateAsync();
        var logger = new RecordingLogger();
        await using var connection = new FrameConnection(pair.Server, "n1", logger, maxFrameSize: 1024);
        var frames = 0;
        connection.Start(_ =>
        {
            frames++;
            return ValueTask.CompletedTask;
        });

        var header = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(header, 1025);
        await pair.Client.WriteAsync(header);
        var reason = await connection.Completion.Within();

        Assert.Equal(CloseReasonKind.OversizedFrame, reason.Kind);
        Assert.Equal("the peer announced a frame of 1025 bytes, over the cap of 1024 bytes", reason.Message);
        Assert.Equal(0, frames);
        Assert.Equal(0, await HandshakeTests.ReadToEndAsync(pair.Client));
        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
    }

    [Fact]
    public async Task Completion_MalformedFrame_ClosesAsMalformed()
    {
        await using var pair = await TcpPair.CreateAsync();
        await using var connection = new FrameConnection(pair.Server, "n1", new RecordingLogger());
        connection.Start(_ => ValueTask.CompletedTask);

        await pair.Client.WriteAsync(new byte[] { 2, 0, 0, 0, 0xFF, 0xFF });
        var reason = await connection.Completion.Within();

        Assert.Equal(CloseReasonKind.MalformedFrame, reason.Kind);
    }

    [Fact]
    public async Task Completion_HandlerThrows_ClosesAsHandlerFailedAndStopsDelivering()
    {
        await using var pair = await TcpPair.CreateAsync();
        var logger = new RecordingLogger();
        await using var connection = new FrameConnection(pair.Server, "n1", logger);
        await using var peer = new FrameConnection(pair.Client, "sched", new RecordingLogger());
        var seen = 0;
        connection.Start(_ =>
        {
            seen++;
            throw new InvalidOperationException("boom");
        });
        peer.Start(_ => ValueTask.CompletedTask);

        peer.Post(Pulse(1));
        peer.Post(Pulse(2));
        var reason = await connection.Completion.Within();
        var peerReason = await peer.Completion.Within();

        Assert.Equal(new CloseReason(CloseReasonKind.HandlerFailed, "the frame handler threw InvalidOperationException: boom"), reason);
        Assert.Equal(1, seen);
        Assert.Equal(CloseReasonKind.PeerClosed, peerReason.Kind);
        Assert.IsType<InvalidOperationException>(Assert.Single(logger.Entries).Exception);
    }

    [Fact]
    public async Task CloseAsync_FramesPosted_WritesThemThenCloses()
    {
        const int Count = 500;
        await using var pair = await TcpPair.CreateAsync();
        await using var connection = new FrameConnection(pair.Client, "n1", new RecordingLogger());
        await using var peer = new FrameConnection(pair.Server, "sched", new RecordingLogger());
        var received = new List<long>();
        peer.Start(frame =>
        {
            received.Add(frame.Pulse.SentUnixUs);
            return ValueTask.CompletedTask;
        });
        connection.Start(_ => ValueTask.CompletedTask);

        for (var i = 0; i < Count; i++)
        {
            connection.Post(Pulse(i));
        }

        await connection.CloseAsync("shutting down").Within();
        var peerReason = await peer.Completion.Within();

        Assert.Equal(new CloseReason(CloseReasonKind.LocalClose, "shutting down"), await connection.Completion);
        Assert.Equal(CloseReasonKind.PeerClosed, peerReason.Kind);
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), received);
        Assert.False(connection.Post(Pulse(0)));
    }

    [Fact]
    public async Task CloseAsync_CalledTwiceAndConcurrently_ClosesOnceWithTheFirstReason()
    {
        await using var pair = await TcpPair.CreateAsync();
        var logger = new RecordingLogger();
        var connection = new FrameConnection(pair.Client, "n1", logger);
        connection.Start(_ => ValueTask.CompletedTask);

        await Task.WhenAll(
            connection.CloseAsync("first").AsTask(),
            connection.CloseAsync("second").AsTask(),
            connection.DisposeAsync().AsTask()).Within();

        Assert.Equal(CloseReasonKind.LocalClose, (await connection.Completion).Kind);
        Assert.Single(logger.Entries);
    }

    [Fact]
    public async Task CloseAsync_FromInsideHandler_DoesNotDeadlock()
    {
        await using var pair = await TcpPair.CreateAsync();
        await using var peer = new FrameConnection(pair.Client, "sched", new RecordingLogger());
        FrameConnection? connection = null;
        connection = new FrameConnection(pair.Server, "n1", new RecordingLogger());
        var frames = 0;
        connection.Start(async _ =>
        {
            frames++;
            await connection.CloseAsync("protocol violation");
        });
        peer.Start(_ => ValueTask.CompletedTask);

        peer.Post(Pulse(1));
        peer.Post(Pulse(2));
        var reason = await connection.Completion.Within();

        Assert.Equal(new CloseReason(CloseReasonKind.LocalClose, "protocol violation"), reason);
        Assert.Equal(1, frames);
    }

    [Fact]
    public async Task CloseAsync_NeverStarted_DisposesTheStream()
    {
        await using var pair = await TcpPair.CreateAsync();
        var connection = new FrameConnection(pair.Client, "n1", new RecordingLogger());

        await connection.CloseAsync("not needed").Within();

        Assert.Equal(CloseReasonKind.LocalClose, (await connection.Completion).Kind);
        Assert.Equal(0, await HandshakeTests.ReadToEndAsync(pair.Server));
        Assert.Throws<InvalidOperationException>(() => connection.Start(_ => ValueTask.CompletedTask));
    }

    [Fact]
    public async Task CloseAsync_PeerNotReadingAndCancelled_AbortsTheDrain()
    {
        await using var pair = await TcpPair.CreateAsync();
        await using var connection = new FrameConnection(pair.Client, "n1", new RecordingLogger());
        connection.Start(_ => ValueTask.CompletedTask);
        var big = new ClusterEnvelope { Component = new ComponentUpload { Files = { new ComponentFile { Content = Google.Protobuf.ByteString.CopyFrom(new byte[1 << 20]) } } } };
        for (var i = 0; i < 64; i++)
        {
            connection.Post(big);
        }

        using var cancel = new CancellationTokenSource();
        var closing = connection.CloseAsync("stop", cancel.Token).AsTask();
        await cancel.CancelAsync();
        await closing.Within();

        Assert.Equal(new CloseReason(CloseReasonKind.LocalClose, "stop"), await connection.Completion);
    }

    [Fact]
    public async Task Start_Twice_Throws()
    {
        await using var pair = await TcpPair.CreateAsync();
        await using var connection = new FrameConnection(pair.Client, "n1", new RecordingLogger());
        connection.Start(_ => ValueTask.CompletedTask);

        Assert.Throws<InvalidOperationException>(() => connection.Start(_ => ValueTask.CompletedTask));
    }
}
