using FuncExec.Core.Functions.Internal;
using System.Net.Sockets;
using FuncExec.Protocol.V1;

namespace FuncExec.Worker;

/// <summary>Progress of the running task, coalesced to one frame per <see cref="ProgressInterval"/>.</summary>
internal sealed partial class WorkerRuntime
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(50);

    private readonly Lock _progressLock = new();
    private TaskProgress? _pendingProgress;
    private long _lastProgressSent;
    private ITimer? _progressTimer;
    private bool _progressTimerArmed;

    /// <inheritdoc />
    protected internal override System.Text.Json.JsonSerializerOptions JsonOptionsFor(Type type) => FunctionJson.OptionsFor(type);

    protected internal override void ReportProgress(TaskContext sender, double fraction, string message)
    {
        // A thread the task left behind reports nothing for the next one.
        if (!Board.IsRunning(sender.TaskId, sender.Attempt))
        {
            return;
        }

        lock (_progressLock)
        {
            _pendingProgress = new TaskProgress { TaskId = sender.TaskId, Fraction = fraction, Message = message };
            var wait = ProgressInterval - _time.GetElapsedTime(_lastProgressSent);
            if (_lastProgressSent == 0 || wait <= TimeSpan.Zero)
            {
                SendProgressLocked();
            }
            else if (!_progressTimerArmed)
            {
                // Later reports replace the pending one; the timer sends whichever is last.
                _progressTimer ??= _time.CreateTimer(static state => ((WorkerRuntime)state!).OnProgressTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _progressTimer.Change(wait, Timeout.InfiniteTimeSpan);
                _progressTimerArmed = true;
            }
        }
    }

    private void FlushProgress()
    {
        lock (_progressLock)
        {
            if (_progressTimerArmed)
            {
                _progressTimer!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _progressTimerArmed = false;
            }

            SendProgressLocked();
        }
    }

    private void OnProgressTimer()
    {
        try
        {
            lock (_progressLock)
            {
                _progressTimerArmed = false;
                SendProgressLocked();
            }
        }
        catch (SocketException)
        {
            // The node is gone; the reader thread sees it too and ends the worker.
            return;
        }
    }

    private void SendProgressLocked()
    {
        if (_pendingProgress is not { } progress || _connection is not { } connection)
        {
            return;
        }

        _pendingProgress = null;
        _lastProgressSent = _time.GetTimestamp();
        connection.Send(new WorkerEnvelope { Progress = progress });
    }
}
