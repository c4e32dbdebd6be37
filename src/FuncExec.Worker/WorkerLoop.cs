using FuncExec.Core.Collections;
using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;

namespace FuncExec.Worker;

/// <summary>
/// Runs assigned tasks in arrival order and returns their results in batches.
/// </summary>
/// <remarks>
/// A reader thread moves frames into a local queue so the node can prefetch work while a
/// task runs; the main thread executes; a <see cref="ResultBatcher"/> sends results back.
/// </remarks>
internal sealed class WorkerLoop : IDisposable
{
    private readonly WorkerConnection _connection;
    private readonly TaskExecutor _executor;
    private readonly ResultBatcher _results;
    private readonly Queue<TaskAssignment> _queue = new();
    private readonly Lock _queueLock = new();
    private readonly SemaphoreSlim _available = new(0);
    private bool _closed;

    public WorkerLoop(WorkerConnection connection, TaskExecutor executor)
    {
        _connection = connection;
        _executor = executor;
        _results = new ResultBatcher(connection);
    }

    public int Run()
    {
        var reader = new Thread(ReadLoop) { IsBackground = true, Name = "funcexec-worker-reader" };
        reader.Start();
        while (true)
        {
            if (!TryDequeue(out var task))
            {
                _results.Flush();
                _available.Wait();
                continue;
            }

            if (task is null)
            {
                _results.Flush();
                return 0;
            }

            if (task.TimeoutMs > 0)
            {
                // The node times this task from the moment it hears it started, so say so now.
                _results.Flush();
                _connection.Send(new WorkerEnvelope
                {
                    Started = new TaskStarted
                    {
                        TaskId = task.TaskId,
                        Attempt = task.Attempt,
                        StartedUnixUs = UnixTime.NowMicroseconds(),
                    },
                });
            }

            _results.Add(_executor.Execute(task), IsQueueEmpty());
        }
    }

    public void Dispose()
    {
        _available.Dispose();
        _results.Dispose();
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
                    case WorkerEnvelope.BodyOneofCase.Adopt:
                        // A warm spare becomes a worker: the node pinned its threads already; this
                        // also pins threads started since, and sets the cores tasks return to.
                        _executor.Adopt([.. envelope.Adopt.Cores]);
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
            // Console.Error holds the running task's output; this goes to the real stream, the node's log.
            using (var stderr = new StreamWriter(Console.OpenStandardError()))
            {
                stderr.WriteLine($"worker: connection to node lost: {ex.Message}");
            }

            Environment.Exit(3);
        }

        // The node closed its end without a shutdown: it is gone, and so are the results we
        // would send it, so stop now rather than run a queue nobody will collect.
        Environment.Exit(0);
    }

    /// <summary>Removes a task from the queue if it has not started, so another worker can run it.</summary>
    private Revoked TakeBack(Revoke revoke)
    {
        lock (_queueLock)
        {
            return new Revoked
            {
                TaskId = revoke.TaskId,
                Attempt = revoke.Attempt,
                Taken = _queue.RemoveWhere(task => task.TaskId == revoke.TaskId && task.Attempt == revoke.Attempt),
            };
        }
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
