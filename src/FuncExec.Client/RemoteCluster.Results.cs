using FuncExec.Scheduler;
using FuncExec.Core.Tasks;
using FuncExec.Node.Remote;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.V1;

namespace FuncExec;

internal sealed partial class RemoteCluster
{
    // Ids per request, so a reply of their reports stays far below the frame cap.
    private const int ResultIdsPerRequest = 1000;

    /// <inheritdoc />
    /// <exception cref="SchedulerUnreachableException">The connection closed before the scheduler answered.</exception>
    public async Task<TaskResults> GetResultsAsync(IReadOnlyList<long> taskIds, bool anyClient = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        var reports = new Dictionary<long, TaskReport>();
        var pending = new List<long>();
        var unknown = new List<long>();
        string? error = null;
        var distinct = taskIds.Distinct().ToList();
        for (var start = 0; start < distinct.Count; start += ResultIdsPerRequest)
        {
            var request = new ResultRequest { Admin = anyClient };
            request.TaskIds.AddRange(distinct.Skip(start).Take(ResultIdsPerRequest));
            var reply = await AskForResultsAsync(request, cancellationToken).ConfigureAwait(false);
            foreach (var report in reply.Reports)
            {
                reports[report.Id] = report.ToModel();
            }

            pending.AddRange(reply.Pending);
            unknown.AddRange(reply.Unknown);
            error ??= reply.Error.Length == 0 ? null : reply.Error;
        }

        return new TaskResults([.. distinct.Where(reports.ContainsKey).Select(id => reports[id])], pending, unknown, error);
    }

    private async Task<ResultReply> AskForResultsAsync(ResultRequest request, CancellationToken cancellationToken)
    {
        using var pending = _requests.NewRequest<ResultReply>(cancellationToken);
        request.Request = pending.Id;
        FrameConnection? connection;
        lock (_sendLock)
        {
            connection = _connection;
        }

        PostAll([], new ClusterEnvelope { ResultRequest = request });
        // A reply is lost with its connection: the caller asks again once the client has reconnected.
        var closed = connection?.Completion ?? Task.FromResult(new CloseReason(CloseReasonKind.LocalClose, "the client is reconnecting"));
        var answered = await Task.WhenAny(pending.Reply, closed).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (answered != pending.Reply)
        {
            throw new SchedulerUnreachableException(Address.ToString(), $"the connection closed before the scheduler answered ({closed.Result})");
        }

        return await pending.Reply.ConfigureAwait(false);
    }
}
