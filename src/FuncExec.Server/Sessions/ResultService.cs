using System.Data.Common;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Journal;

namespace FuncExec.Server.Sessions;

/// <summary>Answers <c>ResultRequest</c>: finished tasks' reports by id, from memory while their client has not
/// acknowledged them, else from the journal for the result retention time.</summary>
/// <remarks>A client reads its own tasks' reports; an administrative request (<c>funcexec result</c>) any. Another
/// client's task is answered as unknown, not refused, so ids cannot be probed.</remarks>
internal sealed class ResultService
{
    private readonly SchedulerServer _server;

    public ResultService(SchedulerServer server)
    {
        _server = server;
    }

    public ResultReply Answer(DurableClient requester, ResultRequest request)
    {
        var reply = new ResultReply { Request = request.Request };
        var admin = request.Admin;
        var rest = new List<long>();
        foreach (var id in request.TaskIds.Distinct())
        {
            if (_server.Scheduler.LiveOwner(id) is { } owner)
            {
                (admin || owner == requester ? reply.Pending : reply.Unknown).Add(id);
            }
            else if (Kept(requester, id, admin) is { } report)
            {
                reply.Reports.Add(report);
            }
            else
            {
                rest.Add(id);
            }
        }

        if (rest.Count == 0)
        {
            return reply;
        }

        if (_server.Scheduler.Journal is not { } journal)
        {
            reply.Unknown.AddRange(rest);
            reply.Error = "the scheduler runs without a journal (--no-journal), so it keeps no reports once their client has received them or left";
            return reply;
        }

        try
        {
            var found = new HashSet<long>();
            foreach (var result in journal.ReadResults(rest))
            {
                if (admin || result.OwnerToken == requester.Token)
                {
                    reply.Reports.Add(JournalEncoding.DecodeReport(result.Report));
                    found.Add(result.TaskId);
                }
            }

            foreach (var id in rest)
            {
                if (!found.Contains(id))
                {
                    // Pending in the journal but not live here: it ended a moment ago and its report is being committed.
                    (admin && journal.IsPending(id) ? reply.Pending : reply.Unknown).Add(id);
                }
            }
        }
        catch (Exception ex) when (ex is JournalException or DbException or Google.Protobuf.InvalidProtocolBufferException or InvalidDataException)
        {
            reply.Error = $"the journal ({journal.Description}) could not be read: {ex.Message}";
            reply.Unknown.AddRange(rest.Where(id => !reply.Reports.Any(r => r.Id == id)));
        }

        return reply;
    }

    private TaskReportMessage? Kept(DurableClient requester, long id, bool admin)
    {
        if (requester.KeptReport(id) is { } own)
        {
            return own;
        }

        if (admin)
        {
            foreach (var client in _server.Clients.All)
            {
                if (client.KeptReport(id) is { } report)
                {
                    return report;
                }
            }
        }

        return null;
    }
}
