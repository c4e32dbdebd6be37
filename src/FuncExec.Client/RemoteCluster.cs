using System.Collections.Concurrent;
using FuncExec.Client.Internal;
using FuncExec.Core.Errors;
using FuncExec.Core.Tasks;
using FuncExec.Node.Components;
using FuncExec.Node.Remote;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace FuncExec.Client;

/// <summary>
/// A cluster reached through its scheduler (<c>funcexec scheduler</c>) over TCP. Several
/// clients may share one scheduler; each gets exactly its own results.
/// </summary>
public sealed class RemoteCluster : ITaskRunner
{
    private readonly FrameConnection _connection;
    private readonly TaskPreparer _preparer;
    private readonly ComponentStore _components;
    private readonly HashSet<string> _uploaded = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, PendingRun> _runs = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<StatusReply>> _statusWaiters = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<string>> _killWaiters = new();
    private readonly Lock _sendLock = new();
    private long _nextRun;
    private StatusReply _lastStatus = new();

    private RemoteCluster(SchedulerAddress address, FrameConnection connection, RemoteClusterOptions options)
    {
        Address = address;
        _connection = connection;
        _components = new ComponentStore(Path.Combine(Path.GetTempPath(), $"funcexec-{Environment.UserName}", "client-components"));
        _preparer = new TaskPreparer(_components, options.CodeCachePath ?? Path.Combine(Path.GetTempPath(), $"funcexec-{Environment.UserName}", "code"));
    }

    /// <summary>The scheduler's address.</summary>
    public SchedulerAddress Address { get; }

    /// <inheritdoc />
    public int WorkerCount => _lastStatus.Nodes.Sum(n => n.Workers.Count);

    /// <inheritdoc />
    public int MaxTaskCores => _lastStatus.Nodes.Count == 0 ? int.MaxValue : _lastStatus.Nodes.Max(n => n.Workers.Count);

    /// <summary>Connects to the scheduler at <paramref name="address"/> (<c>host:port</c>).</summary>
    /// <exception cref="SchedulerUnreachableException">Nothing answered there in time.</exception>
    /// <exception cref="ProtocolException">The scheduler refused us: secret, TLS or version.</exception>
    public static async Task<RemoteCluster> ConnectAsync(string address, RemoteClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= RemoteClusterOptions.Default;
        var parsed = SchedulerAddress.Parse(address);
        var (connection, _) = await SchedulerDialer.ConnectAsync(
            parsed, PeerRole.Client, options.Name, options.Security, options.ConnectTimeout, NullLogger.Instance, cancellationToken: cancellationToken).ConfigureAwait(false);
        var cluster = new RemoteCluster(parsed, connection, options);
        connection.Start(cluster.OnFrameAsync);
        _ = connection.Completion.ContinueWith(t => cluster.FailAll(t.Result.Message), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await cluster.StatusAsync(cancellationToken).ConfigureAwait(false);
        return cluster;
    }

    /// <summary>The scheduler's view: nodes with pulse ages, workers with core, state, current task and CPU, queued and running tasks.</summary>
    public async Task<StatusReply> StatusAsync(CancellationToken cancellationToken = default)
    {
        var waiter = new TaskCompletionSource<StatusReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        var key = Interlocked.Increment(ref _nextRun);
        _statusWaiters[key] = waiter;
        // Replies come in request order on one connection, so the oldest waiter gets each.
        if (!_connection.Post(new ClusterEnvelope { StatusRequest = new StatusRequest() }))
        {
            _statusWaiters.TryRemove(key, out _);
            throw new SchedulerUnreachableException(Address, "the connection is closed");
        }

        var reply = await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        _lastStatus = reply;
        return reply;
    }

    /// <summary>Kills task <paramref name="taskId"/> (an id from <see cref="StatusAsync"/> or a report), whichever client submitted it.</summary>
    /// <returns><c>killed</c> (it was still queued), <c>sent</c> (its node kills it; its client gets the final report), or <c>not-found</c>.</returns>
    public async Task<string> KillAsync(long taskId, CancellationToken cancellationToken = default)
    {
        var waiter = _killWaiters.GetOrAdd(taskId, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_connection.Post(new ClusterEnvelope { KillTask = new KillTask { TaskId = taskId } }))
        {
            throw new SchedulerUnreachableException(Address, "the connection is closed");
        }

        try
        {
            return await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _killWaiters.TryRemove(taskId, out _);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ResourceRequestException">The scheduler refused the submission (a task wider than any node); nothing ran.</exception>
    public async Task<IReadOnlyList<TaskReport>> RunAsync(IReadOnlyList<TaskSpec> tasks, Action<int, TaskReport>? onFinished = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var runId = Interlocked.Increment(ref _nextRun);
        var run = new PendingRun(new RunObserver(tasks.Count, onFinished));
        var submit = new SubmitTasks { Request = runId };
        var calls = new Dictionary<(string, string?), MethodCall>();
        var uploads = new List<ClusterEnvelope>();
        for (var i = 0; i < tasks.Count; i++)
        {
            var prepared = _preparer.Prepare(tasks[i], i, calls);
            if (prepared.Refused is { } refused)
            {
                run.Observer.Complete(i, refused);
                continue;
            }

            var task = prepared.Task!;
            AddUpload(task.Assignment, uploads);
            submit.Tasks.Add(new SubmittedTaskSpec
            {
                Name = task.Name,
                Cores = task.Cores,
                Priority = task.Priority,
                Retries = task.Retries,
                Tag = (runId << 32) | (uint)i,
                Assignment = task.Assignment,
            });
        }

        if (submit.Tasks.Count > 0)
        {
            _runs[runId] = run;
            lock (_sendLock)
            {
                foreach (var upload in uploads)
                {
                    _connection.Post(upload);
                }

                if (!_connection.Post(new ClusterEnvelope { Submit = submit }))
                {
                    throw new SchedulerUnreachableException(Address, "the connection is closed");
                }
            }

            await run.Accepted.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await run.Observer.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _runs.TryRemove(runId, out _);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private void AddUpload(TaskAssignment assignment, List<ClusterEnvelope> uploads)
    {
        var component = assignment.FunctionCase switch
        {
            TaskAssignment.FunctionOneofCase.Method => assignment.Method.Assembly,
            TaskAssignment.FunctionOneofCase.Code => assignment.Code.Image,
            _ => null,
        };
        if (component is null)
        {
            return;
        }

        lock (_uploaded)
        {
            if (!_uploaded.Add(component.Sha256))
            {
                return;
            }
        }

        var upload = new ComponentUpload { Component = component };
        foreach (var (name, content) in _components.ReadBundle(component))
        {
            upload.Files.Add(new ComponentFile { Name = name, Content = ByteString.CopyFrom(content) });
        }

        uploads.Add(new ClusterEnvelope { Component = upload });
    }

    private ValueTask OnFrameAsync(ClusterEnvelope envelope)
    {
        switch (envelope.BodyCase)
        {
            case ClusterEnvelope.BodyOneofCase.TaskReports:
                foreach (var report in envelope.TaskReports.Reports)
                {
                    if (_runs.TryGetValue(report.Tag >> 32, out var run))
                    {
                        run.Observer.Complete((int)(report.Tag & 0xFFFF_FFFF), ToReport(report));
                    }
                }

                break;
            case ClusterEnvelope.BodyOneofCase.SubmitAccepted:
                if (_runs.TryGetValue(envelope.SubmitAccepted.Request, out var accepted))
                {
                    accepted.Accepted.TrySetResult();
                }

                break;
            case ClusterEnvelope.BodyOneofCase.SubmitRefused:
                if (_runs.TryRemove(envelope.SubmitRefused.Request, out var refused))
                {
                    refused.Accepted.TrySetException(new ResourceRequestException(envelope.SubmitRefused.Reason));
                }

                break;
            case ClusterEnvelope.BodyOneofCase.StatusReply:
                var oldest = _statusWaiters.Keys.DefaultIfEmpty(-1).Min();
                if (_statusWaiters.TryRemove(oldest, out var waiter))
                {
                    waiter.TrySetResult(envelope.StatusReply);
                }

                break;
            case ClusterEnvelope.BodyOneofCase.KillReply:
                if (_killWaiters.TryGetValue(envelope.KillReply.TaskId, out var killWaiter))
                {
                    killWaiter.TrySetResult(envelope.KillReply.Outcome);
                }

                break;
            case ClusterEnvelope.BodyOneofCase.Pulse:
                break;
            default:
                throw new InvalidDataException($"unexpected {envelope.BodyCase} from the scheduler");
        }

        return ValueTask.CompletedTask;
    }

    private void FailAll(string reason)
    {
        var error = new SchedulerUnreachableException(Address, $"the connection was lost ({reason})");
        foreach (var (_, run) in _runs)
        {
            run.Accepted.TrySetException(error);
            run.Observer.Fail(error);
        }

        foreach (var (_, waiter) in _statusWaiters)
        {
            waiter.TrySetException(error);
        }

        foreach (var (_, waiter) in _killWaiters)
        {
            waiter.TrySetException(error);
        }
    }

    private static TaskReport ToReport(TaskReportMessage m) => new()
    {
        Id = m.Id,
        Name = m.Name,
        State = m.Outcome.ToState(),
        ResultJson = m.ResultJson.IsEmpty ? null : m.ResultJson.ToStringUtf8(),
        Error = m.Error?.ToModel(),
        Worker = m.Worker.Length == 0 ? null : m.Worker,
        Cores = [.. m.Cores],
        Started = Core.Tasks.UnixTime.FromMicroseconds(m.StartedUnixUs),
        Finished = Core.Tasks.UnixTime.FromMicroseconds(m.FinishedUnixUs),
        Attempts = m.Attempts,
        Output = m.Output.Length == 0 ? null : m.Output,
    };

    private sealed record PendingRun(RunObserver Observer)
    {
        public TaskCompletionSource Accepted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
