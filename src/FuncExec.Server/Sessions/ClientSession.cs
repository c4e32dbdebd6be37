using FuncExec.Core.Errors;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace FuncExec.Server.Sessions;

/// <summary>
/// One client's connection: takes its components and submissions, streams back the reports
/// of its tasks (and only its tasks), answers status requests.
/// </summary>
internal sealed class ClientSession : ITaskObserver
{
    private readonly SchedulerServer _server;
    private readonly FrameConnection _connection;
    private readonly ILogger _logger;
    private readonly string _name;

    public ClientSession(SchedulerServer server, FrameConnection connection, string name, ILogger logger)
    {
        _server = server;
        _connection = connection;
        _name = name;
        _logger = logger;
    }

    public async Task RunAsync()
    {
        _connection.Start(OnFrameAsync);
        var reason = await _connection.Completion.ConfigureAwait(false);
        var dropped = _server.Scheduler.Forget(this);
        ServerLog.ClientLeft(_logger, _name, reason.Message, dropped);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    public void OnFinished(IReadOnlyList<FinishedTask> finished)
    {
        var message = new TaskReports();
        foreach (var (task, report) in finished)
        {
            var wire = new TaskReportMessage
            {
                Tag = (long)task.Tag!,
                Id = report.Id,
                Name = report.Name,
                Outcome = report.State.ToOutcome(),
                Worker = report.Worker ?? string.Empty,
                StartedUnixUs = Core.Tasks.UnixTime.ToMicroseconds(report.Started),
                FinishedUnixUs = Core.Tasks.UnixTime.ToMicroseconds(report.Finished),
                Attempts = report.Attempts,
                Output = report.Output ?? string.Empty,
            };
            wire.Cores.AddRange(report.Cores);
            if (report.ResultJson is { } json)
            {
                wire.ResultJson = ByteString.CopyFromUtf8(json);
            }

            if (report.Error is { } error)
            {
                wire.Error = error.ToWire();
            }

            message.Reports.Add(wire);
        }

        _connection.Post(new ClusterEnvelope { TaskReports = message });
    }

    private ValueTask OnFrameAsync(ClusterEnvelope envelope)
    {
        switch (envelope.BodyCase)
        {
            case ClusterEnvelope.BodyOneofCase.Component:
                _server.Components.PutBundle(
                    envelope.Component.Component,
                    [.. envelope.Component.Files.Select(f => (f.Name, f.Content.Memory))],
                    long.MaxValue);
                break;
            case ClusterEnvelope.BodyOneofCase.Submit:
                Submit(envelope.Submit);
                break;
            case ClusterEnvelope.BodyOneofCase.KillTask:
                var outcome = _server.Scheduler.Kill(envelope.KillTask.TaskId) switch
                {
                    KillRequest.KilledQueued => "killed",
                    KillRequest.Sent => "sent",
                    _ => "not-found",
                };
                _connection.Post(new ClusterEnvelope { KillReply = new KillReply { TaskId = envelope.KillTask.TaskId, Outcome = outcome } });
                break;
            case ClusterEnvelope.BodyOneofCase.StatusRequest:
                _connection.Post(new ClusterEnvelope { StatusReply = _server.BuildStatus() });
                break;
            case ClusterEnvelope.BodyOneofCase.Pulse:
                break;
            default:
                throw new InvalidDataException($"unexpected {envelope.BodyCase} from client {_name}");
        }

        return ValueTask.CompletedTask;
    }

    private void Submit(SubmitTasks submit)
    {
        var tasks = new List<SubmittedTask>(submit.Tasks.Count);
        foreach (var spec in submit.Tasks)
        {
            tasks.Add(new SubmittedTask(spec.Name, spec.Assignment ?? new TaskAssignment())
            {
                Cores = spec.Cores,
                Priority = spec.Priority,
                Retries = spec.Retries,
                Tag = spec.Tag,
            });
        }

        try
        {
            var accepted = new SubmitAccepted { Request = submit.Request };
            accepted.TaskIds.AddRange(_server.Scheduler.Submit(tasks, this));
            _connection.Post(new ClusterEnvelope { SubmitAccepted = accepted });
        }
        catch (ResourceRequestException ex)
        {
            _connection.Post(new ClusterEnvelope { SubmitRefused = new SubmitRefused { Request = submit.Request, Reason = ex.Message } });
        }
    }
}
