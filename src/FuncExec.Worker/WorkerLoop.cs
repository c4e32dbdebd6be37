using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;

namespace FuncExec.Worker;

using TaskStarted = FuncExec.Protocol.V1.TaskStarted;

/// <summary>
/// Runs assigned tasks in arrival order and returns their results in batches.
/// </summary>
/// <remarks>
/// A reader thread moves frames into the <see cref="TaskBoard"/> so the node can prefetch work while a
/// task runs, and hands messages, cancels and acknowledgements to the tasks they are for; the main
/// thread executes, and unloads closed computations between tasks; a <see cref="ResultBatcher"/> sends
/// results back.
/// </remarks>
internal sealed class WorkerLoop : IDisposable
{
    private readonly WorkerConnection _connection;
    private readonly TaskExecutor _executor;
    private readonly WorkerRuntime _runtime;
    private readonly TaskBoard _board;
    private readonly ResultBatcher _results;

    public WorkerLoop(WorkerConnection connection, TaskExecutor executor, WorkerRuntime runtime)
    {
        _connection = connection;
        _executor = executor;
        _runtime = runtime;
        _board = runtime.Board;
        _results = new ResultBatcher(connection);
        runtime.Connect(connection, _results);
    }

    public int Run()
    {
        var reader = new Thread(ReadLoop) { IsBackground = true, Name = "funcexec-worker-reader" };
        reader.Start();
        while (true)
        {
            if (_board.TakeClosing() is { } closing)
            {
                foreach (var computation in closing)
                {
                    _executor.CloseComputation(computation);
                }
            }

            if (_board.TakePreparing() is { } preparing)
            {
                foreach (var computation in preparing)
                {
                    _executor.PrepareComputation(computation);
                }
            }

            if (!_board.TryStart(out var task))
            {
                _results.Flush();
                _board.Wait();
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

            var result = _executor.Execute(task);
            WorkerMetrics.TaskEnded(result);
            _board.Finish();
            _results.Add(result, _board.IsQueueEmpty());
        }
    }

    public void Dispose()
    {
        _results.Dispose();
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
                        _board.Add(envelope.Assign.Tasks);
                        break;
                    case WorkerEnvelope.BodyOneofCase.Adopt:
                        // A warm spare becomes a worker: the node pinned its threads already; this
                        // also pins threads started since, and sets the cores tasks return to.
                        _executor.Adopt(envelope.Adopt.WorkerId, [.. envelope.Adopt.Cores]);
                        break;
                    case WorkerEnvelope.BodyOneofCase.Revoke:
                        _connection.Send(new WorkerEnvelope { Revoked = _board.TakeBack(envelope.Revoke) });
                        break;
                    case WorkerEnvelope.BodyOneofCase.Cancel:
                        if (_board.Cancel(envelope.Cancel) is { } unstarted)
                        {
                            // Sent at once: the node waits for it to free the task's slot.
                            var cancelled = TaskExecutor.CancelledBeforeStart(unstarted);
                            WorkerMetrics.TaskEnded(cancelled);
                            _results.Add(cancelled, queueEmpty: true);
                        }

                        break;
                    case WorkerEnvelope.BodyOneofCase.Message:
                        _board.Deliver(envelope.Message);
                        break;
                    case WorkerEnvelope.BodyOneofCase.MessageAck:
                        _runtime.Acknowledge(envelope.MessageAck);
                        break;
                    case WorkerEnvelope.BodyOneofCase.ComputationClosed:
                        _board.RequestClose(envelope.ComputationClosed.Computation);
                        break;
                    case WorkerEnvelope.BodyOneofCase.PrepareComputation:
                        _ = _board.RequestPrepare(envelope.PrepareComputation);
                        break;
                    case WorkerEnvelope.BodyOneofCase.Shutdown:
                        _board.Close();
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
}
