using System.Buffers;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Framing;
using FuncExec.Protocol.V1;
using Google.Protobuf;

namespace FuncExec.Protocol.Tests.Connections;

public sealed class FrameReaderTests
{
    private static byte[] Frames(params IMessage[] messages)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var message in messages)
        {
            FrameCodec.Write(output, message);
        }

        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public async Task ReadAsync_TwoFrames_ReadsOneAtATimeWithoutOverreading()
    {
        var first = new ClusterEnvelope { Pulse = new Pulse { SentUnixUs = 1 } };
        var bytes = Frames(first, new ClusterEnvelope { Pulse = new Pulse { SentUnixUs = 2 } });
        using var stream = new MemoryStream(bytes);

        var read = await FrameReader.ReadAsync(stream, ClusterEnvelope.Parser);

        Assert.Equal(first, read);
        Assert.Equal(FrameCodec.HeaderSize + first.CalculateSize(), stream.Position);
        Assert.Equal(2, (await FrameReader.ReadAsync(stream, ClusterEnvelope.Parser))!.Pulse.SentUnixUs);
        Assert.Null(await FrameReader.ReadAsync(stream, ClusterEnvelope.Parser));
    }

    [Fact]
    public async Task ReadAsync_EmptyMessage_ReadsZeroLengthFrame()
    {
        using var stream = new MemoryStream(Frames(new StatusRequest()));

        var read = await FrameReader.ReadAsync(stream, StatusRequest.Parser);

        Assert.NotNull(read);
        Assert.Equal(4, stream.Position);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(6)]
    public async Task ReadAsync_TornFrame_ThrowsEndOfStream(int keep)
    {
        var bytes = Frames(new ClusterEnvelope { Pulse = new Pulse { SentUnixUs = 12345 } });
        using var stream = new MemoryStream(bytes[..keep]);

        await Assert.ThrowsAsync<EndOfStreamException>(() => FrameReader.ReadAsync(stream, ClusterEnvelope.Parser).AsTask());
    }

    [Theory]
    [InlineData(new byte[] { 0x01, 0x01, 0x00, 0x00 }, 257L)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, 4294967295L)]
    public async Task ReadAsync_LengthOverCap_ThrowsFrameTooLargeBeforeReadingPayload(byte[] header, long length)
    {
        using var stream = new MemoryStream(header);

        var error = await Assert.ThrowsAsync<FrameTooLargeException>(
            () => FrameReader.ReadAsync(stream, ClusterEnvelope.Parser, maxFrameSize: 256).AsTask());

        Assert.Equal(length, error.Length);
    }

    [Fact]
    public async Task ReadAsync_GarbagePayload_ThrowsInvalidProtocolBuffer()
    {
        using var stream = new MemoryStream([2, 0, 0, 0, 0xFF, 0xFF]);

        await Assert.ThrowsAsync<InvalidProtocolBufferException>(() => FrameReader.ReadAsync(stream, ClusterEnvelope.Parser).AsTask());
    }

    [Fact]
    public void TryReadFrame_PartialThenWhole_ParsesOnlyWhenComplete()
    {
        var bytes = Frames(new ClusterEnvelope { Pulse = new Pulse { SentUnixUs = 9 } });
        var partial = new ReadOnlySequence<byte>(bytes, 0, bytes.Length - 1);
        var whole = new ReadOnlySequence<byte>(bytes);

        Assert.False(FrameReader.TryReadFrame(ref partial, ClusterEnvelope.Parser, 1024, out _));
        Assert.Equal(bytes.Length - 1, partial.Length);
        Assert.True(FrameReader.TryReadFrame(ref whole, ClusterEnvelope.Parser, 1024, out var message));
        Assert.Equal(9, message!.Pulse.SentUnixUs);
        Assert.True(whole.IsEmpty);
    }
}
