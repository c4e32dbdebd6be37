using FuncExec.Core.Text;
using FuncExec.Node.Components;
using FuncExec.Node.Metrics;
using FuncExec.Protocol;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Resilience;
using FuncExec.Protocol.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FuncExec.Node.Remote;

/// <summary>
/// <c>funcexec node</c>: starts the workers, joins a scheduler (given, the first that answers
/// of a list of a scheduler and its standbys, or found by UDP discovery), relays work and
/// results, pulses, and rejoins with backoff whenever the scheduler goes away.
/// </summary>
/// <remarks>
/// When the scheduler is lost, workers with tasks in hand are killed and replaced: the
/// scheduler has requeued those tasks elsewhere, and running them twice would be wrong.
/// </remarks>
internal sealed class NodeAgent : ISchedulerLink, IAsyncDisposable
{
    private readonly NodeAgentOptions _options;
    private readonly ILogger _logger;
    private readonly LocalNode _node;
    private readonly Lock _linkLock = new();
    private readonly CoreUsageSampler _cpu = new();
    private FrameConnection? _connection;

    /// <summary>Prepares the node; <see cref="RunAsync"/> starts it.</summary>
    public NodeAgent(NodeAgentOptions options, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger("FuncExec.Node");
        _node = new LocalNode(options.Node, loggerFactory);
    }

    /// <summary>The node's workers.</summary>
    public LocalNode Node => _node;

    /// <summary>Whether the node is joined to a scheduler now.</summary>
    public bool IsJoined
    {
        get
        {
            lock (_linkLock)
            {
                return _connection is not null;
            }
        }
    }

    /// <summary>Starts the workers, then joins and serves the scheduler until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        await _node.StartAsync(this, cancellationToken).ConfigureAwait(false);
        var backoff = new Backoff(NodeAgentOptions.RejoinBackoff(_options.MaxBackoff));
        var retries = new RetryLog(_logger, _node.NodeName);
        var schedulers = _options.Schedulers;

        // With a list (an active scheduler and its standbys), the addresses are tried in turn, starting after the
        // last one joined: when a scheduler is lost, the likeliest to answer is the next. The backoff grows only
        // after a whole round failed, and a round's reasons are logged together.
        var next = 0;
        var failures = new List<string>();
        while (!cancellationToken.IsCancellationRequested)
        {
            SchedulerAddress? address = schedulers.Count > 0 ? schedulers[next] : null;
            try
            {
                address ??= await Discovery.FindAsync(
                    _options.UdpPort, retries.Discovering, cancellationToken).ConfigureAwait(false);
                var (connection, welcome) = await SchedulerDialer.ConnectAsync(
                    address, PeerRole.Node, _node.NodeName, _options.Security, _options.ConnectTimeout, _logger, _options.IpAddr, cancellationToken: cancellationToken).ConfigureAwait(false);
                backoff.Reset();
                failures.Clear();
                retries.Joined();
                NodeLog.Joined(_logger, _node.NodeName, welcome.SchedulerName, address.ToString(), Durations.Format(welcome.PulseInterval));
                var reason = await ServeAsync(connection, welcome, cancellationToken).ConfigureAwait(false);
                if (_node.IsDraining)
                {
                    break; // Stopping: a node that lost its scheduler while draining does not join again.
                }

                if (!cancellationToken.IsCancellationRequested)
                {
                    NodeLog.LostScheduler(_logger, _node.NodeName, reason);
                }

                next = schedulers.Count > 0 ? (next + 1) % schedulers.Count : 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is SchedulerUnreachableException or PeerProtocolException or IOException)
            {
                failures.Add(ex.Message);
                if (schedulers.Count > 1)
                {
                    next = (next + 1) % schedulers.Count;
                    if (failures.Count < schedulers.Count)
                    {
                        // Not every address was tried yet this round: the next one at once.
                        continue;
                    }
                }

                var delay = backoff.NextDelay();
                retries.Failed(string.Join("; ", failures), delay);
                failures.Clear();
                try
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>
    /// Drains the node before it stops: the scheduler places no more work on it, the tasks its workers hold but have
    /// not started go back to the queue (to run elsewhere, without using an attempt), and the tasks running finish and
    /// report their results. Completes when no worker holds a task; cancelling it (the drain's time limit) leaves the
    /// rest running, to be killed when the node is disposed, after which the scheduler treats them as on a lost node.
    /// </summary>
    public async Task DrainAsync(CancellationToken cancellationToken = default)
    {
        _node.Drain();
        // Polled: results come from each worker's reader thread, and a tenth of a second is nothing beside a drain.
        while (!_node.IsIdle)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), _node.Time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>How many tasks the node's workers hold (running, or handed back and not yet confirmed).</summary>
    public int TasksInHand => _node.TasksInHand;

    /// <inheritdoc />
    public void NodeDraining() => Post(new ClusterEnvelope { NodeDraining = new NodeDraining() });

    /// <inheritdoc />
    public void WorkerReady(int workerId) =>
        Post(new ClusterEnvelope { WorkerReady = new WorkerReady { WorkerId = workerId, Pid = _node.WorkerPids[workerId] } });

    /// <inheritdoc />
    public void OnResults(int workerId, IReadOnlyList<TaskResult> results)
    {
        var message = new NodeResults { WorkerId = workerId };
        message.Results.AddRange(results);
        Post(new ClusterEnvelope { NodeResults = message });
    }

    /// <inheritdoc />
    public void TasksReturned(int workerId, IReadOnlyList<long> taskIds)
    {
        var message = new TasksReturned { WorkerId = workerId };
        message.TaskIds.AddRange(taskIds);
        Post(new ClusterEnvelope { TasksReturned = message });
    }

    /// <inheritdoc />
    public void WorkerLost(int workerId, IReadOnlyList<TaskResult> ended, IReadOnlyList<long> unstarted) =>
        PostLost(workerId, ended, unstarted, replaced: false);

    /// <inheritdoc />
    /// <remarks>One message, not a WorkerLost and a WorkerReady: the scheduler would place the waiting task elsewhere
    /// between the two, and take it back (a revoke round trip) after the second.</remarks>
    public void WorkerReplaced(int workerId, IReadOnlyList<TaskResult> ended, IReadOnlyList<long> unstarted) =>
        PostLost(workerId, ended, unstarted, replaced: true);

    private void PostLost(int workerId, IReadOnlyList<TaskResult> ended, IReadOnlyList<long> unstarted, bool replaced)
    {
        var message = new WorkerLost { WorkerId = workerId, Replaced = replaced };
        message.Ended.AddRange(ended);
        message.Unstarted.AddRange(unstarted);
        Post(new ClusterEnvelope { WorkerLost = message });
    }

    /// <inheritdoc />
    public void OnTaskMessage(int workerId, TaskMessage message) =>
        Post(new ClusterEnvelope { NodeTaskMessage = new NodeTaskMessage { WorkerId = workerId, Message = message } });

    /// <inheritdoc />
    public void OnProgress(int workerId, TaskProgress progress) => Post(new ClusterEnvelope { NodeProgress = progress });

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _node.DisposeAsync();

    private void Post(ClusterEnvelope envelope)
    {
        lock (_linkLock)
        {
            // Without a scheduler the news has no one to go to; on rejoining the node
            // registers afresh and says which workers are ready.
            _connection?.Post(envelope);
        }
    }

    private async Task<string> ServeAsync(FrameConnection connection, HandshakeResult welcome, CancellationToken cancellationToken)
    {
        var pulse = welcome.PulseInterval;
        var lastHeard = _node.Time.GetTimestamp();
        // One per connection: a component half received when the scheduler goes is sent whole again.
        using var receiver = new ComponentReceiver(_node.Components, _options.MaxFileSize);
        connection.Start(envelope =>
        {
            Volatile.Write(ref lastHeard, _node.Time.GetTimestamp());
            Handle(envelope, receiver);
            return ValueTask.CompletedTask;
        });

        lock (_linkLock)
        {
            _connection = connection;
            var register = new NodeRegister { Name = _node.NodeName, Pid = Environment.ProcessId, Address = _options.ExtIpAddr ?? string.Empty };
            register.WorkerCores.AddRange(_node.WorkerCores);
            connection.Post(new ClusterEnvelope { NodeRegister = register });
            var pids = _node.IsDraining ? [] : _node.WorkerPids;
            for (var i = 0; i < pids.Count; i++)
            {
                if (pids[i] != 0)
                {
                    connection.Post(new ClusterEnvelope { WorkerReady = new WorkerReady { WorkerId = i, Pid = pids[i] } });
                }
            }
        }

        var reason = await PulseLoop.RunAsync(
            connection,
            pulse,
            _node.Time,
            () => _node.Time.GetElapsedTime(Volatile.Read(ref lastHeard)),
            MakePulse,
            "the scheduler",
            cancellationToken).ConfigureAwait(false);

        lock (_linkLock)
        {
            _connection = null;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        _node.RestartBusyWorkers();
        return reason;
    }

    private Pulse MakePulse()
    {
        var pulse = new Pulse { SentUnixUs = FuncExec.UnixTime.NowMicroseconds() };
        foreach (var (core, busy) in _cpu.Sample())
        {
            pulse.Cores.Add(new CoreUsage { Core = core, BusyPercent = busy });
        }

        return pulse;
    }

    private void Handle(ClusterEnvelope envelope, ComponentReceiver receiver)
    {
        switch (envelope.BodyCase)
        {
            case ClusterEnvelope.BodyOneofCase.NodeAssign:
                _node.Assign(envelope.NodeAssign.WorkerId, envelope.NodeAssign.Tasks);
                break;
            case ClusterEnvelope.BodyOneofCase.NodeRevoke:
                _node.Revoke(envelope.NodeRevoke.WorkerId, envelope.NodeRevoke.TaskId, envelope.NodeRevoke.Attempt);
                break;
            case ClusterEnvelope.BodyOneofCase.NodeKill:
                _node.Kill(envelope.NodeKill.WorkerId, envelope.NodeKill.TaskId, envelope.NodeKill.Attempt);
                break;
            case ClusterEnvelope.BodyOneofCase.NodeCancel:
                var cancel = envelope.NodeCancel;
                _node.Cancel(cancel.WorkerId, cancel.TaskId, cancel.Attempt, TaskTimeouts.Clamp(cancel.GraceMs));
                break;
            case ClusterEnvelope.BodyOneofCase.NodeMessage:
                _node.Deliver(envelope.NodeMessage.WorkerId, envelope.NodeMessage.Message);
                break;
            case ClusterEnvelope.BodyOneofCase.NodeMessageAck:
                _node.Acknowledge(envelope.NodeMessageAck.WorkerId, envelope.NodeMessageAck.Ack);
                break;
            case ClusterEnvelope.BodyOneofCase.NodeComputation:
                _node.Computation(envelope.NodeComputation);
                break;
            case ClusterEnvelope.BodyOneofCase.Component:
                StoreComponent(envelope.Component);
                break;
            case ClusterEnvelope.BodyOneofCase.ComponentChunk:
                if (receiver.Receive(envelope.ComponentChunk) is { } refused)
                {
                    // Tasks needing it fail in the worker with "not in the node's store"; the reason is here.
                    NodeLog.ComponentRefused(_logger, _node.NodeName, envelope.ComponentChunk.Component?.FileName ?? string.Empty, refused);
                }

                break;
            case ClusterEnvelope.BodyOneofCase.Pulse:
                break;
            default:
                throw new InvalidDataException($"unexpected {envelope.BodyCase} from the scheduler");
        }
    }

    private void StoreComponent(ComponentUpload upload)
    {
        try
        {
            _node.Components.PutBundle(
                upload.Component,
                [.. upload.Files.Select(f => (f.Name, f.Content.Memory))],
                _options.MaxFileSize);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // Tasks needing it fail in the worker with "not in the node's store"; the reason is here.
            NodeLog.ComponentRefused(_logger, _node.NodeName, upload.Component?.FileName ?? string.Empty, ex.Message);
        }
    }
}
