using System.Collections.Concurrent;
using FuncExec.Protocol.V1;
using Google.Protobuf;

namespace FuncExec.Worker;

/// <summary>Messages to and from the running task.</summary>
internal sealed partial class WorkerRuntime
{
    // Sends waiting for their MessageAck, by sequence number.
    private readonly ConcurrentDictionary<long, (long ToTask, TaskCompletionSource Acknowledged)> _unacknowledged = new();
    private long _sequence;

    /// <summary>Completes the send the node acknowledged; called on the reader thread.</summary>
    public void Acknowledge(MessageAck ack)
    {
        // A send whose caller stopped waiting (its token was cancelled) has no entry left.
        if (!_unacknowledged.TryRemove(ack.Sequence, out var pending))
        {
            return;
        }

        // Continuations run asynchronously, so the task's code never runs on the reader thread.
        if (ack.Error.Length == 0)
        {
            pending.Acknowledged.TrySetResult();
        }
        else
        {
            pending.Acknowledged.TrySetException(new MessageNotDeliveredException(pending.ToTask, ack.Error));
        }
    }

    /// <inheritdoc />
    protected internal override async Task SendAsync(TaskContext sender, long toTask, byte[] payloadJson, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!Board.IsRunning(sender.TaskId, sender.Attempt))
        {
            throw new InvalidOperationException($"task {sender.TaskId} has ended; its context no longer sends messages");
        }

        var connection = _connection ?? throw new InvalidOperationException("the worker is not connected to its node yet");
        var sequence = Interlocked.Increment(ref _sequence);
        var acknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _unacknowledged[sequence] = (toTask, acknowledged);
        try
        {
            // Results of earlier tasks still waiting for the flush timer go first.
            _results?.Flush();
            connection.Send(new WorkerEnvelope
            {
                Message = new TaskMessage
                {
                    ToTask = toTask,
                    FromTask = sender.TaskId,
                    PayloadJson = UnsafeByteOperations.UnsafeWrap(payloadJson),
                    Sequence = sequence,
                },
            });
            await acknowledged.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _unacknowledged.TryRemove(sequence, out _);
        }
    }

    /// <inheritdoc />
    protected internal override ValueTask<TaskMessage<ReadOnlyMemory<byte>>> ReceiveAsync(TaskContext receiver, CancellationToken cancellationToken) =>
        Board.StateOf(receiver).ReceiveAsync(cancellationToken);
}
