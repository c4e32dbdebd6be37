using System.Diagnostics;
using FuncExec.Protocol.V1;

namespace FuncExec.Worker;

/// <summary>
/// Gathers results and sends them in batches: at once when the worker runs out of work, when a
/// task took long enough that one more frame is noise, when a batch is full, or — from a
/// flusher thread — once the oldest result has waited <see cref="MaxDelayMs"/>, even while a
/// long task runs, so no result waits behind the next task.
/// </summary>
internal sealed class ResultBatcher : IDisposable
{
    private const int MaxBatch = 64;
    private const long MaxDelayMs = 2;
    private const double LongTaskUs = 1000;

    // Large results leave alone, so a batch stays far below the node's frame cap.
    private const long MaxBatchBytes = 1 << 20;

    private readonly WorkerConnection _connection;
    private readonly Lock _lock = new();
    private readonly AutoResetEvent _started = new(false);
    private TaskResults _pending = new();
    private long _oldest;
    private long _bytes;

    public ResultBatcher(WorkerConnection connection)
    {
        _connection = connection;
        new Thread(FlushLoop) { IsBackground = true, Name = "funcexec-worker-flusher" }.Start();
    }

    /// <summary>Adds a result; sends the batch now if the rules say so.</summary>
    public void Add(TaskResult result, bool queueEmpty)
    {
        TaskResults? ready = null;
        var wakeFlusher = false;
        lock (_lock)
        {
            if (_pending.Results.Count == 0)
            {
                _oldest = Stopwatch.GetTimestamp();
                _bytes = 0;
            }

            _pending.Results.Add(result);
            _bytes += result.ResultJson.Length;
            var tookLong = result.FinishedUnixUs - result.StartedUnixUs >= LongTaskUs;
            if (queueEmpty || tookLong || _pending.Results.Count >= MaxBatch || _bytes >= MaxBatchBytes)
            {
                ready = TakeLocked();
            }
            else
            {
                // Only a batch left waiting needs the flusher: waking it for one sent at once
                // would cost a context switch on this worker's own core for every lone task.
                wakeFlusher = _pending.Results.Count == 1;
            }
        }

        if (wakeFlusher)
        {
            _started.Set();
        }

        Send(ready);
    }

    /// <summary>Sends whatever is pending.</summary>
    public void Flush()
    {
        TaskResults? ready;
        lock (_lock)
        {
            ready = TakeLocked();
        }

        Send(ready);
    }

    public void Dispose() => _started.Dispose();

    private TaskResults? TakeLocked()
    {
        if (_pending.Results.Count == 0)
        {
            return null;
        }

        var ready = _pending;
        _pending = new TaskResults();
        return ready;
    }

    private void Send(TaskResults? ready)
    {
        if (ready is not null)
        {
            _connection.Send(new WorkerEnvelope { Results = ready });
        }
    }

    private void FlushLoop()
    {
        while (true)
        {
            _started.WaitOne();
            while (true)
            {
                long oldest;
                lock (_lock)
                {
                    if (_pending.Results.Count == 0)
                    {
                        break;
                    }

                    oldest = _oldest;
                }

                var due = MaxDelayMs - Stopwatch.GetElapsedTime(oldest).TotalMilliseconds;
                if (due > 0)
                {
                    Thread.Sleep(TimeSpan.FromMilliseconds(due));
                    continue;
                }

                TaskResults? ready;
                lock (_lock)
                {
                    ready = _oldest == oldest ? TakeLocked() : null;
                }

                Send(ready);
            }
        }
    }
}
