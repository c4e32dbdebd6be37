using System.Diagnostics;
using FuncExec.Protocol.V1;

namespace FuncExec.Worker;

/// <summary>
/// Runs assigned tasks in arrival order and returns their results in batches.
/// </summary>
/// <remarks>
/// A reader thread moves frames into a local queue so the node can prefetch work while a
/// task runs; the main thread executes. Results are flushed when the queue runs dry, every
/// <see cref="MaxBatch"/> results, or when the oldest unsent result is <see cref="MaxDelayMs"/>
/// old, so tiny tasks travel in batches and a lone task's result leaves at once.
/// </remarks>
internal sealed class WorkerLoop : IDisposable
{
    private const int MaxBatch = 64;
    private const long MaxDelayMs = 2;

    // Large results leave alone, so a batch stays far below the node's frame cap.
    private const long MaxBatchBytes = 1 << 20;

    private readonly WorkerConnection _connection;
    private readonly TaskExecutor _executor;
    private readonly Queue<TaskAssignment> _queue = new();
    private readonly Lock _queueLock = new();
    private readonly SemaphoreSlim _available = new(0);
    private bool _closed;

    public WorkerLoop(WorkerConnection connection, TaskExecutor executor)
    {
        _connection = connection;
        _executor = executor;
    }

    public int Run()
    {
        var reader = new Thread(ReadLoop) { IsBackground = true, Name = "funcexec-worker-reader" };
        reader.Start();
        var pending = new TaskResults();
        long oldestPending = 0;
        long pendingBytes = 0;
        while (true)
        {
            if (!TryDequeue(out var task))
            {
                Flush(pending);
                _available.Wait();
                continue;
            }

            if (task is null)
            {
                Flush(pending);
                return 0;
            }

            if (task.TimeoutMs > 0)
            {
                // The node times this task from the moment it hears it started, so say so now.
                Flush(pending);
                _connection.Send(new WorkerEnvelope
                {
                    Started = new TaskStarted
                    {
                        TaskId = task.TaskId,
                        Attempt = task.Attempt,
                        StartedUnixUs = TaskExecutor.NowUnixMicroseconds(),
                    },
                });
            }

            var result = _executor.Execute(task);
            if (pending.Results.Count == 0)
            {
                oldestPending = Stopwatch.GetTimestamp();
                pendingBytes = 0;
            }

            pending.Results.Add(result);
            pendingBytes += result.ResultJson.Length;
            if (pending.Results.Count >= MaxBatch || pendingBytes >= MaxBatchBytes || Stopwatch.GetElapsedTime(oldestPending).TotalMilliseconds >= MaxDelayMs || IsQueueEmpty())
            {
                Flush(pending);
            }
        }
    }

    public void Dispose() => _available.Dispose();

    private void Flush(TaskResults pending)
    {
        if (pending.Results.Count == 0)
        {
            return;
        }

        _connection.Send(new WorkerEnvelope { Results = pending });
        pending.Results.Clear();
    }

    private bool TryDequeue(out TaskAssignment? task)
    {
        lock (_queueLock)
        {
            if (_queue.TryDequeue(out task))
            {
                return true;
            }

            task = null;
            return _closed;
        }
    }

    private bool IsQueueEmpty()
    {
        lock (_queueLock)
        {
            return _queue.Count == 0;
        }
    }

    private void ReadLoop()
    {
        try
        {
            while (_connection.Receive() is { } envelope)
            {
                switch (envelope.BodyCase)
                {
                    case WorkerEnvelope.BodyOneofCase.Assign:
                        lock (_queueLock)
                        {
                            foreach (var task in envelope.Assign.Tasks)
                            {
                                _queue.Enqueue(task);
                            }
                        }

                        _available.Release();
                        break;
                    case WorkerEnvelope.BodyOneofCase.Revoke:
                        _connection.Send(new WorkerEnvelope { Revoked = TakeBack(envelope.Revoke) });
                        break;
                    case WorkerEnvelope.BodyOneofCase.Shutdown:
                        Close();
                        return;
                    default:
                        throw new InvalidDataException($"unexpected frame from node: {envelope.BodyCase}");
                }
            }
        }
        catch (IOException ex)
        {
            // The node is gone or spoke garbage: nobody is left to run tasks for.
            Console.Error.WriteLine($"worker: connection to node lost: {ex.Message}");
            Environment.Exit(3);
        }

        // The node closed its end without a shutdown: it is gone, and so are the results we
        // would send it, so stop now rather than run a queue nobody will collect.
        Environment.Exit(0);
    }

    /// <summary>Removes a task from the queue if it has not started, so another worker can run it.</summary>
    private Revoked TakeBack(Revoke revoke)
    {
        var answer = new Revoked { TaskId = revoke.TaskId, Attempt = revoke.Attempt };
        lock (_queueLock)
        {
            var kept = new Queue<TaskAssignment>(_queue.Count);
            while (_queue.TryDequeue(out var task))
            {
                if (task.TaskId == revoke.TaskId && task.Attempt == revoke.Attempt)
                {
                    answer.Taken = true;
                }
                else
                {
                    kept.Enqueue(task);
                }
            }

            while (kept.TryDequeue(out var task))
            {
                _queue.Enqueue(task);
            }
        }

        return answer;
    }

    private void Close()
    {
        lock (_queueLock)
        {
            _closed = true;
        }

        _available.Release();
    }
}
