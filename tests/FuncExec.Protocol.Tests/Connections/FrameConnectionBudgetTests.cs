using System.Buffers.Binary;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Tests.Support;
using FuncExec.Protocol.V1;
using FuncExec.Tests.Time;
using Google.Protobuf;

namespace FuncExec.Protocol.Tests.Connections;

/// <summary>A <see cref="FrameConnection"/> reading under an <see cref="InboundMemoryBudget"/>, over real TCP.</summary>
public sealed class FrameConnectionBudgetTests
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task Start_PartOfALargeFrameArrived_ChargesOnlyTheBytesThatArrivedAndReleasesThemWhenHandled()
    {
        await using var pair = await TcpPair.CreateAsync();
        var budget = new InboundMemoryBudget(64 * MiB, new SignallingFakeTimeProvider());
        await using var connection = new FrameConnection(pair.Server, "client 'c'", new RecordingLogger(), budget: budget);
        var handled = new TaskCompletionSource<ClusterEnvelope>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Start(frame =>
        {
            handled.TrySetResult(frame);
            return ValueTask.CompletedTask;
        });
        var frame = Frame(Upload(8 * MiB));

        await pair.Client.WriteAsync(frame.AsMemory(0, 4 + MiB));
        await UntilAsync(() => budget.Reserved == 4 + MiB - InboundMemoryBudget.ConnectionAllowance);
        await pair.Client.WriteAsync(frame.AsMemory(4 + MiB));

        Assert.Equal(8 * MiB, (await handled.Task.Within()).Component.Files[0].Content.Length);
        await UntilAsync(() => budget.Reserved == 0);
    }

    [Fact]
    public async Task Start_FrameSlowerThanItsDeadline_ClosedAsSlowFrameAndItsBytesReleased()
    {
        await using var pair = await TcpPair.CreateAsync();
        var time = new SignallingFakeTimeProvider();
        var budget = new InboundMemoryBudget(64 * MiB, time);
        await using var connection = new FrameConnection(pair.Server, "client 'slow'", new RecordingLogger(), budget: budget);
        connection.Start(_ => ValueTask.CompletedTask);
        var frame = Frame(Upload(4 * MiB));

        await pair.Client.WriteAsync(frame.AsMemory(0, 256 * 1024));
        await time.TimerCreated.Within(); // The frame holds budget bytes: its deadline is armed.
        time.Advance(budget.FrameDeadline(frame.Length - 4));
        var reason = await connection.Completion.Within();

        Assert.Equal(CloseReasonKind.SlowFrame, reason.Kind);
        Assert.Contains("did not finish a frame", reason.Message, StringComparison.Ordinal);
        Assert.Equal(0, budget.Reserved);
    }

    [Fact]
    public async Task Start_BudgetFull_StopsReadingUntilBytesComeBack()
    {
        await using var pair = await TcpPair.CreateAsync();
        var budget = new InboundMemoryBudget(2 * MiB, new SignallingFakeTimeProvider());
        Assert.True(budget.TryReserve(2 * MiB)); // What other connections hold.
        await using var connection = new FrameConnection(pair.Server, "client 'c'", new RecordingLogger(), budget: budget);
        var handled = new TaskCompletionSource<ClusterEnvelope>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Start(frame =>
        {
            handled.TrySetResult(frame);
            return ValueTask.CompletedTask;
        });

        await pair.Client.WriteAsync(Frame(Upload(MiB)));
        await UntilAsync(() => budget.Waiting == 1);
        Assert.False(handled.Task.IsCompleted);
        budget.Release(2 * MiB);

        Assert.Equal(MiB, (await handled.Task.Within()).Component.Files[0].Content.Length);
    }

    [Fact]
    public async Task Start_FrameLargerThanTheWholeBudget_ClosedAsOversized()
    {
        await using var pair = await TcpPair.CreateAsync();
        var budget = new InboundMemoryBudget(MiB, new SignallingFakeTimeProvider());
        await using var connection = new FrameConnection(pair.Server, "client 'c'", new RecordingLogger(), budget: budget);
        connection.Start(_ => ValueTask.CompletedTask);
        var header = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(header, 4 * MiB);

        await pair.Client.WriteAsync(header);

        Assert.Equal(CloseReasonKind.OversizedFrame, (await connection.Completion.Within()).Kind);
        Assert.Equal(0, budget.Reserved);
    }

    private static ClusterEnvelope Upload(int size) =>
        new() { Component = new ComponentUpload { Files = { new ComponentFile { Name = "a.dll", Content = ByteString.CopyFrom(new byte[size]) } } } };

    private static byte[] Frame(ClusterEnvelope envelope)
    {
        var frame = new byte[4 + envelope.CalculateSize()];
        BinaryPrimitives.WriteInt32LittleEndian(frame, frame.Length - 4);
        envelope.WriteTo(frame.AsSpan(4));
        return frame;
    }

    /// <summary>Waits for a condition the connection's read loop makes true; fails instead of hanging.</summary>
    private static async Task UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience.Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not become true");
            await Task.Delay(5);
        }
    }
}
