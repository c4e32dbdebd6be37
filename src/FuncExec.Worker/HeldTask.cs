using System.Threading.Channels;
using FuncExec.Protocol.V1;

namespace FuncExec.Worker;

/// <summary>
/// What the worker keeps for a task it holds beyond its assignment: its inbox, its cancellation and its
/// context. Created only when a message or a cancel arrives for the task or the task asks for its
/// context, so a task that uses none of them costs nothing.
/// </summary>
/// <remarks>The cancellation and the context are guarded by the <see cref="TaskBoard"/>'s lock.</remarks>
internal sealed class HeldTask
{
    // Written by the reader thread only; read by whatever flows of the task receive.
    private readonly Channel<TaskMessage<ReadOnlyMemory<byte>>> _inbox =
        Channel.CreateUnbounded<TaskMessage<ReadOnlyMemory<byte>>>(new UnboundedChannelOptions { SingleWriter = true });

    // Not disposed: without a timer or a wait handle it holds nothing to release, and a cancel may
    // still be running its callbacks when the task ends.
    private CancellationTokenSource? _cancellation;

    public TaskContext? Context { get; set; }

    /// <summary>True once the node asked to cancel the task while it ran.</summary>
    public bool CancelRequested { get; private set; }

    public CancellationToken Token => (_cancellation ??= new CancellationTokenSource()).Token;

    public void Post(TaskMessage message) =>
        _inbox.Writer.TryWrite(new TaskMessage<ReadOnlyMemory<byte>>(message.FromTask, message.PayloadJson.Memory));

    public ValueTask<TaskMessage<ReadOnlyMemory<byte>>> ReceiveAsync(CancellationToken cancellationToken) =>
        _inbox.Reader.ReadAsync(cancellationToken);

    /// <summary>Signals the task's token. Its callbacks run on the thread pool, not on the caller (the reader thread).</summary>
    public void Cancel()
    {
        if (CancelRequested)
        {
            return;
        }

        CancelRequested = true;
        _ = SignalAsync(_cancellation ??= new CancellationTokenSource());
    }

    private static async Task SignalAsync(CancellationTokenSource cancellation)
    {
        try
        {
            await cancellation.CancelAsync().ConfigureAwait(false);
        }
        catch (AggregateException ex)
        {
            // A callback the task registered threw: that is the task's bug, not the worker's end.
            // Console.Error holds the running task's output, so this lands in its output.
            await Console.Error.WriteLineAsync($"a cancellation callback of the task threw: {ex.InnerException?.Message}").ConfigureAwait(false);
        }
    }
}
