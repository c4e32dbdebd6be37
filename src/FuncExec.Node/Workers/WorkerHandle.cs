using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using FuncExec.Core.Collections;
using FuncExec.Core.Platform;
using FuncExec.Core.Telemetry;
using FuncExec.Core.Text;
using FuncExec.Protocol;
using FuncExec.Protocol.Diagnostics;
using FuncExec.Protocol.Framing;
using FuncExec.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace FuncExec.Node.Workers;

using RemoteError = FuncExec.Protocol.V1.RemoteError;
using TaskStarted = FuncExec.Protocol.V1.TaskStarted;

/// <summary>
/// One worker process of the node: spawns it pinned to its core, forwards assignments, reads
/// results on a dedicated thread, enforces timeouts, and on its death reports what it held
/// and starts a replacement on the same core.
/// </summary>
/// <remarks>
/// Lock order: the scheduler's lock, then this one (the scheduler calls <see cref="Assign"/>
/// under its lock); so nothing here calls the scheduler while holding this lock.
/// </remarks>
internal sealed class WorkerHandle
{
    private const int StderrCaptureChars = 2000;
    private const int StartFailureStderrChars = 1000;

    private readonly LocalNode _node;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Queue<InFlightTask> _inFlight = new();
    private readonly List<long> _orphans = [];
    private readonly ArrayBufferWriter<byte> _output = new(16 * 1024);
    private readonly StringBuilder _stderr = new();
    private Process? _process;
    // A process asked to exit by itself (RequestShutdown), which Stop waits for and then kills.
    private Process? _shuttingDown;
    private Socket? _socket;
    // The Adopt frame of a spare taking this worker's place, until it is sent (see Adopt).
    private byte[]? _pendingAdopt;
    private ITimer? _timeout;
    private InFlightTask? _timedOut;
    private InFlightTask? _killed;
    private readonly HashSet<long> _killRequested = [];
    private bool _alive;
    private bool _draining;
    private int _failedStarts;
    // When the last process ended (a Stopwatch timestamp, 0 for none), and how its replacement came: the refill time.
    private long _endedAt;
    private KeyValuePair<string, object?> _replacement = FuncExecMetrics.ReplacedBySpawn;

    public WorkerHandle(LocalNode node, int id, int core, ILogger logger)
    {
        _node = node;
        Id = id;
        Core = core;
        _logger = logger;
    }

    public int Id { get; }

    public int Core { get; }

    /// <summary>The id of the current process once it said hello, or 0 while one is being replaced.</summary>
    public int Pid
    {
        get
        {
            lock (_lock)
            {
                return _alive && _process is { } p ? p.Id : 0;
            }
        }
    }

    /// <summary>Whether the worker holds tasks (running or queued).</summary>
    /// <summary>How many tasks this worker holds: the one it runs and those queued behind it.</summary>
    public int InHand
    {
        get
        {
            lock (_lock)
            {
                return _inFlight.Count;
            }
        }
    }

    public bool HasWork
    {
        get
        {
            lock (_lock)
            {
                return _inFlight.Count > 0;
            }
        }
    }

    public void Spawn()
    {
        Process process;
        try
        {
            process = WorkerLauncher.StartRelayed(Id, [Core], _node.SocketPath, _node.Components.Root, _node.Options, LogStdout, CaptureStderr);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            NodeLog.SpawnFailed(_logger, Id, ex.Message);
            throw;
        }

        lock (_lock)
        {
            _process = process;
            _stderr.Clear();
            _replacement = FuncExecMetrics.ReplacedBySpawn;
        }
    }

    /// <summary>Why this worker has not said hello, for the error of a node whose workers did not
    /// start: its exit and the start of what it wrote to standard error, or null while it runs.</summary>
    public string? DescribeStartFailure()
    {
        lock (_lock)
        {
            if (_alive)
            {
                return null;
            }

            if (_process is not { } process)
            {
                return $"worker {Id} did not start";
            }

            if (!process.HasExited)
            {
                return null;
            }

            var stderr = _stderr.ToString().Trim();
            if (stderr.Length > StartFailureStderrChars)
            {
                stderr = string.Concat(stderr.AsSpan(0, StartFailureStderrChars), "...");
            }

            return stderr.Length == 0
                ? $"worker {Id} exited with {DescribeExit(process.ExitCode)}"
                : $"worker {Id} exited with {DescribeExit(process.ExitCode)}: {stderr}";
        }
    }

    /// <summary>Puts a warm spare in this worker's place: pinned to this worker's core, told who it
    /// is, then attached like a worker that just said hello.</summary>
    /// <remarks>The scheduler is not told here: the caller says the slot was replaced (<see cref="ISchedulerLink.WorkerReplaced"/>).
    /// Throws, with nothing of this worker changed, when the spare is gone (its threads cannot be pinned); one that dies
    /// after is met by its reader like any worker that dies.</remarks>
    public void Adopt(SpareWorker spare)
    {
        spare.OnStderr = CaptureStderr;
        spare.OnStdout = LogStdout;
        // Pinned from here before it runs a task, so its affinity is right the moment it is ready.
        CpuAffinity.PinThreadsOf(spare.Pid, [Core]);
        var frame = new ArrayBufferWriter<byte>(64);
        var adopt = new Adopt { WorkerId = Id };
        adopt.Cores.Add(Core);
        FrameCodec.Write(frame, new WorkerEnvelope { Adopt = adopt });
        lock (_lock)
        {
            _process = spare.Process;
            _stderr.Clear();
            _replacement = FuncExecMetrics.ReplacedBySpare;
            // Sent with the first frame after it (usually the task that waited for this core), in one write: the spare
            // wakes once for both. FlushAdopt sends it alone if nothing follows.
            _pendingAdopt = frame.WrittenMemory.ToArray();
        }

        Attach(spare.Socket!, spare.Input!, spare.Pid, announce: false);
    }

    /// <summary>The worker connected and said hello: start reading its frames, and, with <paramref name="announce"/>,
    /// tell the scheduler it is ready.</summary>
    public void Attach(Socket socket, Stream input, int pid, bool announce = true)
    {
        long endedAt;
        KeyValuePair<string, object?> replacement;
        lock (_lock)
        {
            _socket = socket;
            _alive = true;
            _failedStarts = 0;
            endedAt = _endedAt;
            replacement = _replacement;
            _endedAt = 0;
            _replacement = FuncExecMetrics.ReplacedBySpawn;
        }

        if (endedAt != 0)
        {
            FuncExecMetrics.WorkerRespawns.Add(1, replacement);
            FuncExecMetrics.KillRefillDuration.Record(FuncExecMetrics.SecondsSince(endedAt), replacement);
        }

        NodeLog.WorkerReady(_logger, Id, pid, Core);
        var reader = new Thread(() => ReadLoop(input)) { IsBackground = true, Name = $"funcexec-worker-{Id}-reader" };
        reader.Start();
        if (announce && !_node.IsDraining)
        {
            // A draining node's worker (one replaced during the drain) takes no work: it stays unready.
            _node.Link.WorkerReady(Id);
        }
    }

    public void Assign(IReadOnlyList<TaskAssignment> tasks)
    {
        if (Volatile.Read(ref _draining))
        {
            // Sent before the scheduler heard that this worker takes no more work: back to the queue at once,
            // without using an attempt. The slot is unready there, so they are placed elsewhere.
            _node.Link.TasksReturned(Id, [.. tasks.Select(t => t.TaskId)]);
            return;
        }

        lock (_lock)
        {
            if (!_alive || _socket is null)
            {
                // Dispatched before the scheduler heard of this worker's death: hand them back after.
                foreach (var task in tasks)
                {
                    _orphans.Add(task.TaskId);
                }

                return;
            }

            var batch = new AssignTasks();
            batch.Tasks.Capacity = tasks.Count;
            var idle = _inFlight.Count == 0;
            List<Activity>? spans = null;
            // By index: a foreach over the interface would box its enumerator for every assignment.
            for (var i = 0; i < tasks.Count; i++)
            {
                var task = tasks[i];
                var inFlight = new InFlightTask(task.TaskId, task.Attempt, task.TimeoutMs);
                _inFlight.Enqueue(inFlight);
                batch.Tasks.Add(DispatchTracing.Start(task, _node.Options.Name, Id, inFlight, ref spans));
            }

            if (idle && _inFlight.TryPeek(out var first))
            {
                // An idle worker starts the first task as it arrives.
                first.StartedUnixUs = FuncExec.UnixTime.NowMicroseconds();
            }

            SendLocked(new WorkerEnvelope { Assign = batch });
            DispatchTracing.Stop(spans);
        }
    }

    /// <summary>
    /// Drains this worker (the node is stopping): it takes no more work, the tasks it holds but has not started go back
    /// to the scheduler's queue without using an attempt, and the one it runs finishes and reports as usual.
    /// </summary>
    public void Drain()
    {
        List<InFlightTask> queued;
        lock (_lock)
        {
            Volatile.Write(ref _draining, true);
            queued = [.. _inFlight.Skip(1)];
        }

        // The scheduler heard that the node drains before this (LocalNode.Drain), so the tasks handed back below are
        // placed on other nodes, not here again.
        foreach (var task in queued)
        {
            Revoke(task.TaskId, task.Attempt);
        }
    }

    public void Revoke(long taskId, int attempt) => Send(new WorkerEnvelope { Revoke = new Revoke { TaskId = taskId, Attempt = attempt } });

    /// <summary>Sends a frame to the worker if it is up (messages, acks, computation notices); lost with a dying worker.</summary>
    public void Send(WorkerEnvelope envelope)
    {
        lock (_lock)
        {
            if (_alive && _socket is not null)
            {
                SendLocked(envelope);
            }
        }
    }

    /// <summary>
    /// Cancels a task this worker holds: the worker drops it if queued, or signals its token if
    /// running; if it still runs after <paramref name="grace"/>, it is killed like <see cref="Kill"/>.
    /// </summary>
    public void Cancel(long taskId, int attempt, TimeSpan grace)
    {
        lock (_lock)
        {
            if (!_alive || _socket is null || !_inFlight.Any(t => t.TaskId == taskId && t.Attempt == attempt))
            {
                return; // Finished (its result is on its way) or never here.
            }

            SendLocked(new WorkerEnvelope { Cancel = new Cancel { TaskId = taskId, Attempt = attempt } });
        }

        // A timer per cancel: cancels are rare, and each must keep its own deadline.
        ITimer? timer = null;
        timer = _node.Time.CreateTimer(
            _ =>
            {
                timer?.Dispose();
                bool stillHere;
                lock (_lock)
                {
                    stillHere = _inFlight.Any(t => t.TaskId == taskId && t.Attempt == attempt);
                }

                if (stillHere)
                {
                    NodeLog.GraceExpired(_logger, taskId, Durations.Format(grace), Id);
                    Kill(taskId, attempt);
                }
            },
            null,
            grace,
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>Sends the adopting spare its <see cref="Adopt"/> frame if no other frame took it along.</summary>
    private void FlushAdopt()
    {
        lock (_lock)
        {
            if (_pendingAdopt is null || !_alive || _socket is null)
            {
                return;
            }

            _output.ResetWrittenCount();
            WritePendingAdoptLocked();
            SendOutputLocked();
        }
    }

    private void WritePendingAdoptLocked()
    {
        if (_pendingAdopt is { } adopt)
        {
            _output.Write(adopt);
            _pendingAdopt = null;
        }
    }

    private void SendLocked(WorkerEnvelope envelope)
    {
        _output.ResetWrittenCount();
        WritePendingAdoptLocked();
        FrameCodec.Write(_output, envelope);
        SendOutputLocked();
    }

    private void SendOutputLocked()
    {
        try
        {
            _socket!.Send(_output.WrittenSpan);
            ConnectionMetrics.Sent(MeteredPeer.Worker, 1, _output.WrittenCount);
        }
        catch (SocketException)
        {
            // The worker is dying; its reader sees the end and hands its tasks back.
        }
    }

    /// <summary>
    /// Kills a task this worker holds: the running one by killing the process (reported killed,
    /// the worker replaced), a queued one by taking it back (reported killed without running).
    /// Ignored when the task already finished: its result went out as it finished.
    /// </summary>
    public void Kill(long taskId, int attempt)
    {
        Process? process = null;
        Socket? socket = null;
        lock (_lock)
        {
            if (_inFlight.TryPeek(out var running) && running.TaskId == taskId && running.Attempt == attempt)
            {
                if (_killed is null && _timedOut is null)
                {
                    _killed = running;
                    process = _process;
                    socket = _socket;
                }
            }
            else if (_inFlight.Any(t => t.TaskId == taskId && t.Attempt == attempt) && _alive && _socket is not null)
            {
                _killRequested.Add(taskId);
                SendLocked(new WorkerEnvelope { Revoke = new Revoke { TaskId = taskId, Attempt = attempt } });
            }
        }

        KillRunning(process, socket);
    }

    /// <summary>
    /// Kills the process of a task the node ends (a kill, a timeout), then shuts the reading side of its socket: its
    /// reader still reads every frame the process sent before it was stopped, then meets the end at once rather than
    /// when the kernel has torn the process down, and hands the core over (<see cref="OnEnded"/>).
    /// </summary>
    /// <remarks>The process is stopped (SIGSTOP) before it is killed, so it sends nothing after; on a Unix socket a
    /// shut reading side also refuses whatever its peer would send later.</remarks>
    private static void KillRunning(Process? process, Socket? socket)
    {
        if (process is null)
        {
            return;
        }

        ProcessKill.Quietly(process);
        try
        {
            socket?.Shutdown(SocketShutdown.Receive);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Its reader met the end already.
        }
    }

    /// <summary>Kills the current process; it is reported lost and replaced like any that dies.</summary>
    public void KillProcess()
    {
        Process? process;
        lock (_lock)
        {
            process = _alive ? _process : null;
        }

        ProcessKill.Quietly(process);
    }

    /// <summary>Asks the worker to exit by itself, without a replacement (node shutdown): it finishes the task it runs
    /// and sends what it still holds (its last spans) before it goes. <see cref="Stop"/> waits for it, then kills it.</summary>
    public void RequestShutdown()
    {
        lock (_lock)
        {
            if (_alive && _socket is not null)
            {
                SendLocked(new WorkerEnvelope { Shutdown = new Shutdown() });
            }

            // From here its end is no death: the node stopped it.
            _alive = false;
            _shuttingDown = _process;
            _process = null;
            _timeout?.Dispose();
        }
    }

    /// <summary>Kills the process without a replacement (node shutdown), after waiting up to <paramref name="grace"/>
    /// for it to exit by itself when <see cref="RequestShutdown"/> asked it to.</summary>
    public void Stop(TimeSpan grace = default)
    {
        Process? process;
        lock (_lock)
        {
            _alive = false;
            process = _process ?? _shuttingDown;
            _process = null;
            _shuttingDown = null;
            _timeout?.Dispose();
        }

        if (process is not null)
        {
            if (grace > TimeSpan.Zero)
            {
                process.WaitForExit(grace);
            }

            ProcessKill.Quietly(process);
            process.WaitForExit(5000);
            process.Dispose();
        }
    }

    private void ReadLoop(Stream input)
    {
        var buffer = new byte[64 * 1024];
        string? fault = null;
        // Whether the node ends the worker for what it sent, rather than seeing its socket close.
        var refused = false;
        try
        {
            while (FrameCodec.Read(input, WorkerEnvelope.Parser, ref buffer, out var frameSize) is { } envelope)
            {
                ConnectionMetrics.Received(MeteredPeer.Worker, 1, frameSize);

                switch (envelope.BodyCase)
                {
                    case WorkerEnvelope.BodyOneofCase.Results:
                        OnResults(envelope.Results);
                        break;
                    case WorkerEnvelope.BodyOneofCase.Started:
                        OnStarted(envelope.Started);
                        break;
                    case WorkerEnvelope.BodyOneofCase.Revoked:
                        OnRevoked(envelope.Revoked);
                        break;
                    case WorkerEnvelope.BodyOneofCase.Message:
                        _node.Link.OnTaskMessage(Id, envelope.Message);
                        break;
                    case WorkerEnvelope.BodyOneofCase.Progress:
                        _node.Link.OnProgress(Id, envelope.Progress);
                        break;
                    default:
                        (fault, refused) = ($"unexpected frame {envelope.BodyCase}", true);
                        return;
                }
            }
        }
        catch (Google.Protobuf.InvalidProtocolBufferException ex)
        {
            (fault, refused) = ($"malformed frame: {ex.Message}", true);
        }
        catch (IOException ex)
        {
            fault = ex.Message;
        }
        catch (SocketException ex)
        {
            fault = ex.Message;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A frame the node could not take (a worker runs its tasks' code, which may write to this socket): this
            // worker ends and is replaced, the node and its other workers run on, and the stack is logged for a fix.
            (fault, refused) = ($"a frame it sent could not be handled: {ex.GetType().Name}: {ex.Message}", true);
            NodeLog.WorkerFrameFailed(_logger, Id, ex);
        }
        finally
        {
            OnEnded(fault, refused);
        }
    }

    private void OnResults(TaskResults results)
    {
        lock (_lock)
        {
            foreach (var result in results.Results)
            {
                // Results come in the order tasks were sent, so they retire from the front; a
                // queued task cancelled before it started is the exception, reported out of turn.
                if (_inFlight.TryPeek(out var head) && head.TaskId == result.TaskId)
                {
                    _inFlight.Dequeue();
                    DispatchTracing.Result(head, result);
                    if (_inFlight.TryPeek(out var next) && next.StartedUnixUs == 0)
                    {
                        // The next in line starts as this one finishes (the worker's clock is this machine's).
                        next.StartedUnixUs = result.FinishedUnixUs;
                    }
                }
                else
                {
                    RemoveInFlightLocked(result.TaskId);
                }

                if (_timeout is not null && _timedOut is null)
                {
                    _timeout.Dispose();
                    _timeout = null;
                }
            }

            _stderr.Clear();
        }

        _node.Link.OnResults(Id, results.Results);
    }

    // Apart from its callers, so its closure costs only a task that leaves out of turn.
    private void RemoveInFlightLocked(long taskId) => _inFlight.RemoveWhere(task => task.TaskId == taskId);

    private void OnRevoked(Revoked revoked)
    {
        bool killRequested;
        lock (_lock)
        {
            killRequested = _killRequested.Remove(revoked.TaskId);
        }

        if (!revoked.Taken)
        {
            if (killRequested)
            {
                // It started before the take-back arrived: kill it where it runs.
                Kill(revoked.TaskId, revoked.Attempt);
            }

            return; // Otherwise its result will come as usual.
        }

        lock (_lock)
        {
            RemoveInFlightLocked(revoked.TaskId);
        }

        if (killRequested)
        {
            var now = FuncExec.UnixTime.NowMicroseconds();
            _node.Link.OnResults(Id,
            [
                new TaskResult
                {
                    TaskId = revoked.TaskId,
                    Attempt = revoked.Attempt,
                    Outcome = TaskOutcome.Killed,
                    FinishedUnixUs = now,
                    Error = new RemoteError { Type = "FuncExec.TaskKilled", Message = "killed on request before it started", Retryable = false },
                },
            ]);
            return;
        }

        _node.Link.TasksReturned(Id, [revoked.TaskId]);
    }

    private void OnStarted(TaskStarted started)
    {
        lock (_lock)
        {
            if (!_inFlight.TryPeek(out var running) || running.TaskId != started.TaskId)
            {
                return;
            }

            running.StartedUnixUs = started.StartedUnixUs;
            if (running.TimeoutMs <= 0)
            {
                // No timeout to time; a worker says it started only for a task that has one.
                return;
            }

            _timeout?.Dispose();
            _timeout = _node.Time.CreateTimer(
                static state =>
                {
                    var (self, task) = ((WorkerHandle, InFlightTask))state!;
                    self.OnTimeout(task);
                },
                (this, running),
                TaskTimeouts.Clamp(running.TimeoutMs),
                Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimeout(InFlightTask task)
    {
        Process? process;
        Socket? socket;
        lock (_lock)
        {
            if (!_inFlight.TryPeek(out var running) || !ReferenceEquals(running, task) || _timedOut is not null)
            {
                return;
            }

            _timedOut = running;
            process = _process;
            socket = _socket;
            NodeLog.TimedOut(_logger, running.TaskId, Durations.Format(TaskTimeouts.Clamp(running.TimeoutMs)), Id);
        }

        KillRunning(process, socket);
    }

    private void OnEnded(string? fault, bool refused)
    {
        Process? process;
        bool killedHere;
        lock (_lock)
        {
            _alive = false;
            process = _process;
            _socket?.Dispose();
            _socket = null;
            killedHere = _killed is not null || _timedOut is not null;
        }

        if (process is null)
        {
            return; // Stopped by the node.
        }

        // The socket ended; if the process lives (it closed the socket or spoke garbage), end it.
        ProcessKill.Quietly(process);

        // A process that died by itself is waited for first: its exit code and all it printed (the stderr pipe drained)
        // go into its task's error. One the node killed (a kill, a timeout) needs neither for its report, and every frame
        // it sent was read before this end of its socket: its core is handed over now, and it is reaped after.
        int? exitCode = null;
        if (!killedHere)
        {
            exitCode = Reap(process);
        }

        var ended = new List<TaskResult>();
        var unstarted = new List<long>();
        var died = FuncExecMetrics.DiedExited;
        lock (_lock)
        {
            var stderr = _stderr.ToString().Trim();
            var reason = exitCode is { } code ? DescribeEnd(code, fault) : "killed by the node";
            if (_inFlight.TryDequeue(out var running))
            {
                died = ReferenceEquals(running, _killed) ? FuncExecMetrics.DiedKilled
                    : ReferenceEquals(running, _timedOut) ? FuncExecMetrics.DiedTimedOut
                    : FuncExecMetrics.DiedExited;
                ended.Add(EndedResult(running, exitCode ?? KilledExitCode, refused ? fault : null, stderr));
            }

            while (_inFlight.TryDequeue(out var held))
            {
                unstarted.Add(held.TaskId);
            }

            _timedOut = null;
            _killed = null;
            _killRequested.Clear();
            _timeout?.Dispose();
            _timeout = null;
            _process = null;
            _pendingAdopt = null;
            _endedAt = Stopwatch.GetTimestamp();
        }

        FuncExecMetrics.WorkerDeaths.Add(1, died);
        var replaced = !_node.IsStopping && _node.TryTakeSpare() is { } spare && TryAdopt(spare);

        // Assignments that raced with the news of this death, sent to no process: they go back too.
        List<long> orphans;
        lock (_lock)
        {
            orphans = [.. _orphans];
            _orphans.Clear();
        }

        if (replaced && !_node.IsDraining)
        {
            // The spare holds the slot already: the scheduler hears of the death and of the new process at once, so the
            // task waiting for this core is handed to the spare now, not placed on a busy worker and taken back.
            unstarted.AddRange(orphans);
            _node.Link.WorkerReplaced(Id, ended, unstarted);
        }
        else
        {
            _node.Link.WorkerLost(Id, ended, unstarted);
            if (orphans.Count > 0)
            {
                _node.Link.WorkerLost(Id, [], orphans);
            }
        }

        if (replaced)
        {
            FlushAdopt();
        }

        exitCode ??= Reap(process);
        NodeLog.WorkerEnded(_logger, Id, process.Id, DescribeEnd(exitCode.Value, fault), Core);
        process.Dispose();
        if (!replaced)
        {
            Respawn();
        }
    }

    /// <summary>Waits for <paramref name="process"/> to exit and its output pipes to drain, ends what it had adopted
    /// from its tasks, and returns its exit code.</summary>
    private int Reap(Process process)
    {
        process.WaitForExit();

        // What the worker had adopted from its tasks is the node's now (funcexec node adopts orphans): it ends here.
        if (OrphanReaper.EndAdopted() is > 0 and var leftBehind)
        {
            NodeLog.OrphansEnded(_logger, Id, leftBehind);
        }

        return process.ExitCode;
    }

    /// <summary>Puts the warm spare in this worker's place; false, with the spare ended, when it died before it could.</summary>
    private bool TryAdopt(SpareWorker spare)
    {
        try
        {
            Adopt(spare);
            FuncExecMetrics.SpareHandovers.Add(1);
            return true;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // The spare died before it could take over: a worker is started the slow way.
            NodeLog.SpawnFailed(_logger, Id, $"the warm spare could not take over ({ex.Message}); starting a new worker");
            spare.Kill();
            return false;
        }
    }

    private TaskResult EndedResult(InFlightTask running, int exitCode, string? refusal, string stderr)
    {
        var now = FuncExec.UnixTime.NowMicroseconds();
        var timedOut = ReferenceEquals(running, _timedOut);
        if (ReferenceEquals(running, _killed))
        {
            return new TaskResult
            {
                TaskId = running.TaskId,
                Attempt = running.Attempt,
                Outcome = TaskOutcome.Killed,
                StartedUnixUs = running.StartedUnixUs,
                FinishedUnixUs = now,
                Error = new RemoteError { Type = "FuncExec.TaskKilled", Message = "killed on request; its worker was replaced", Retryable = false },
            };
        }

        var printed = stderr.Length > 0 ? $"; it printed: {stderr}" : string.Empty;
        var message = timedOut
            ? $"task ran past its timeout of {Durations.Format(TaskTimeouts.Clamp(running.TimeoutMs))}; its worker was killed and replaced"
            // The node ended the worker for what it sent (a malformed frame, one the node could not take).
            : refusal is not null ? $"the node ended its worker while it ran this task: {refusal}{printed}"
            : $"worker exited with code {exitCode}{SignalName(exitCode)} while running this task{printed}";
        return new TaskResult
        {
            TaskId = running.TaskId,
            Attempt = running.Attempt,
            Outcome = timedOut ? TaskOutcome.TimedOut : TaskOutcome.Failed,
            StartedUnixUs = running.StartedUnixUs,
            FinishedUnixUs = now,
            Error = new RemoteError
            {
                Type = timedOut ? "FuncExec.TaskTimedOut" : "FuncExec.WorkerExited",
                Message = message,
                Retryable = true,
            },
        };
    }

    private void Respawn()
    {
        if (_node.IsStopping)
        {
            return;
        }

        if (++_failedStarts > 3)
        {
            // A worker that dies before saying hello will keep dying: do not spin on it.
            Thread.Sleep(TimeSpan.FromSeconds(Math.Min(30, _failedStarts)));
        }

        try
        {
            Spawn();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Logged by Spawn; the slot stays out of the pool.
        }
    }

    private void LogStdout(string? line)
    {
        if (line is not null)
        {
            NodeLog.WorkerOutput(_logger, Id, line);
        }
    }

    private void CaptureStderr(string? line)
    {
        if (line is null)
        {
            return;
        }

        NodeLog.WorkerOutput(_logger, Id, line);
        lock (_lock)
        {
            if (_stderr.Length < StderrCaptureChars)
            {
                _stderr.Append(line.AsSpan(0, Math.Min(line.Length, StderrCaptureChars - _stderr.Length))).Append('\n');
            }
        }
    }

    private static string DescribeExit(int exitCode) => $"exit code {exitCode}{SignalName(exitCode)}";

    // How a process ended, and what was wrong with its socket when that is what ended it.
    private static string DescribeEnd(int exitCode, string? fault) => DescribeExit(exitCode) + (fault is null ? string.Empty : $" ({fault})");

    // What a shell reports for a process ended by SIGKILL (128 + 9): a task the node killed, before its exit is reaped.
    private const int KilledExitCode = 137;

    private static string SignalName(int exitCode) => exitCode switch
    {
        134 => " (SIGABRT)",
        137 => " (SIGKILL)",
        139 => " (SIGSEGV)",
        143 => " (SIGTERM)",
        _ => string.Empty,
    };
}
