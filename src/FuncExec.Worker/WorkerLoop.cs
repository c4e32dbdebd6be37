using System.Diagnostics.CodeAnalysis;
using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;

namespace FuncExec.Worker;

using TaskStarted = FuncExec.Protocol.V1.TaskStarted;

/// <summary>
/// Runs assigned tasks in arrival order and returns their results in batches.
/// </summary>
/// <remarks>
/// <para>
/// The main thread executes, and unloads closed computations between tasks; a <see cref="ResultBatcher"/> sends results
/// back. Frames from the node (tasks, and the messages, cancels and acknowledgements for them) go into the
/// <see cref="TaskBoard"/> as they arrive, read by whichever thread is free to: the main thread itself while it has
/// nothing to run, and a <see cref="SocketWatch"/> while a task runs, so the node can prefetch work and a running task
/// hears its cancel or its messages at once. Only one of them reads at a time: the main thread hands the reading over
/// (under <c>_readLock</c>) before a task starts and takes it back after, and reads every frame that has arrived
/// before it hands over. So a task that arrives at an idle worker wakes one thread, the one that runs it.
/// </para>
/// <para>
/// Where there is no epoll, a reader thread reads every frame and wakes the main thread for each change.
/// </para>
/// </remarks>
internal sealed class WorkerLoop : IDisposable
{
    private readonly WorkerConnection _connection;
    private readonly TaskExecutor _executor;
    private readonly WorkerRuntime _runtime;
    private readonly TaskBoard _board;
    private readonly ResultBatcher _results;

    // Guards the hand-over of the reading between the main thread and the watch: _watched (the socket is in the watch's
    // epoll set) says who reads.
    private readonly Lock _readLock = new();
    private SocketWatch? _watch;
    private bool _watched;

    // Set once the node said shutdown: nothing more is read (the node may close its end while the queue drains).
    private volatile bool _ended;

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
        _watch = SocketWatch.TryStart(_connection.Socket, OnReadable);
        if (_watch is null)
        {
            new Thread(ReadLoop) { IsBackground = true, Name = "funcexec-worker-reader" }.Start();
        }

        while (true)
        {
            if (_board.TakeClosing() is { } closing)
            {
                BeginWatch();
                foreach (var computation in closing)
                {
                    _executor.CloseComputation(computation);
                }
            }

            if (_board.TakePreparing() is { } preparing)
            {
                BeginWatch();
                foreach (var computation in preparing)
                {
                    _executor.PrepareComputation(computation);
                }
            }

            if (!_watched && _watch is not null && !_ended && _connection.HasBuffered)
            {
                // Every frame already read from the socket is taken before a task starts: the watch wakes only for
                // bytes that arrive in the socket (those there already included), not for those in our buffer.
                ReadFrame();
                continue;
            }

            if (!_board.TryStart(out var task))
            {
                if (_watched)
                {
                    // Out of work: this thread reads again, first what has arrived.
                    EndWatch();
                    continue;
                }

                _results.Flush();
                if (_watch is null)
                {
                    _board.Wait();
                }
                else
                {
                    // Idle: wait for the node's next frame here, so the thread it wakes is the one that runs the task.
                    ReadFrame();
                }

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

            // The watch stays armed from one task to the next while the queue holds more; it is disarmed only when
            // this thread runs out of work.
            BeginWatch();
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

    /// <summary>The main thread stops reading: until <see cref="EndWatch"/>, the watch reads what arrives. Once the
    /// node said shutdown nothing more is read, so the socket is not watched (its end would wake the watch again and
    /// again).</summary>
    private void BeginWatch()
    {
        // Only this thread arms the watch, so armed now means armed still (or disarmed for good, after a shutdown); no
        // lock taken then, as the watch holds it while it reads.
        if (_watch is null || Volatile.Read(ref _watched))
        {
            return;
        }

        lock (_readLock)
        {
            if (!_watched && !_ended)
            {
                _watch.Arm();
                _watched = true;
            }
        }
    }

    /// <summary>The main thread reads again, once the watch has finished any frame it is reading.</summary>
    private void EndWatch()
    {
        lock (_readLock)
        {
            if (_watched)
            {
                _watch!.Disarm();
                _watched = false;
            }
        }
    }

    /// <summary>On the watch's thread: the socket is readable. Reads while it is this thread's turn and a read would
    /// not block (a wake-up from before a hand-over may find the bytes already taken).</summary>
    private void OnReadable()
    {
        lock (_readLock)
        {
            while (_watched && _connection.HasPending)
            {
                ReadFrame();
                if (_ended)
                {
                    _watch!.Disarm();
                    _watched = false;
                }
            }
        }
    }

    /// <summary>Reads one frame and acts on it; the worker ends when the node is gone.</summary>
    private void ReadFrame()
    {
        WorkerEnvelope? envelope;
        try
        {
            envelope = _connection.Receive();
        }
        catch (IOException ex)
        {
            ConnectionLost(ex);
            return;
        }

        if (envelope is null)
        {
            NodeGone();
        }

        Handle(envelope);
    }

    private void ReadLoop()
    {
        while (!_ended)
        {
            ReadFrame();
        }
    }

    private void Handle(WorkerEnvelope envelope)
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
                _ended = true;
                _board.Close();
                break;
            default:
                throw new InvalidDataException($"unexpected frame from node: {envelope.BodyCase}");
        }
    }

    /// <summary>The node is gone or spoke garbage: nobody is left to run tasks for.</summary>
    [DoesNotReturn]
    private static void ConnectionLost(IOException ex)
    {
        // Console.Error holds the running task's output; this goes to the real stream, the node's log.
        using (var stderr = new StreamWriter(Console.OpenStandardError()))
        {
            stderr.WriteLine($"worker: connection to node lost: {ex.Message}");
        }

        Environment.Exit(3);
    }

    /// <summary>The node closed its end without a shutdown: it is gone, and so are the results we would send it, so
    /// stop now rather than run a queue nobody will collect.</summary>
    [DoesNotReturn]
    private static void NodeGone() => Environment.Exit(0);
}
