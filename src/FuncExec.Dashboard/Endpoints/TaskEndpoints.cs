using FuncExec.Dashboard.Api;
using FuncExec.Dashboard.Internal;
using FuncExec.Scheduler;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace FuncExec.Dashboard.Endpoints;

/// <summary>
/// <c>GET /api/tasks?filter=&amp;limit=</c>: running, queued and recently finished tasks whose id,
/// name, state, worker or error type contains the filter (or whose computation is it);
/// <c>GET /api/tasks/{id}/error</c>: the whole error of one of the latest tasks that did not succeed;
/// <c>POST /api/tasks/{id}/kill</c> and <c>POST /api/tasks/{id}/cancel?graceMs=</c>, which need the
/// cluster secret (see <see cref="DashboardAuth"/>).
/// </summary>
internal static class TaskEndpoints
{
    private const int DefaultLimit = 500;
    private static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(5);

    public static void Map(RouteGroupBuilder api, ViewBuilder views, DashboardAuth auth, ClusterScheduler scheduler, ILogger logger)
    {
        api.MapGet("/tasks", (string? filter, int? limit) =>
            Results.Json<IReadOnlyList<TaskView>>(views.Tasks(filter, Math.Clamp(limit ?? DefaultLimit, 1, 10_000)), DashboardJson.Default.IReadOnlyListTaskView));

        api.MapGet("/tasks/{id:long}/error", (long id) => views.ErrorOf(id) is { } error
            ? Results.Json(error, DashboardJson.Default.TaskErrorView)
            : Results.Json(
                new ErrorReply($"task {id} has no error kept: it succeeded, is unknown, or is not among the latest {RecentErrors.DefaultKept} that did not succeed"),
                DashboardJson.Default.ErrorReply,
                statusCode: StatusCodes.Status404NotFound));

        api.MapPost("/tasks/{id:long}/kill", (HttpContext context, long id) =>
            Act(context, auth, logger, "kill", id, () => scheduler.Kill(id) switch
            {
                KillRequest.KilledQueued => "killed",
                KillRequest.Sent => "sent",
                _ => "not-found",
            }));

        api.MapPost("/tasks/{id:long}/cancel", (HttpContext context, long id, int? graceMs) =>
            Act(context, auth, logger, "cancel", id, () => scheduler.Cancel(id, graceMs is >= 0 ? TimeSpan.FromMilliseconds(graceMs.Value) : DefaultGrace) switch
            {
                CancelRequest.CancelledQueued => "cancelled",
                CancelRequest.Sent => "sent",
                _ => "not-found",
            }));
    }

    private static IResult Act(HttpContext context, DashboardAuth auth, ILogger logger, string action, long id, Func<string> perform)
    {
        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "?";
        if (auth.RefuseAction(context) is { } refusal)
        {
            DashboardLog.ActionRefused(logger, action, id, remote, refusal.Reason);
            return Results.Json(new ErrorReply(refusal.Reason), DashboardJson.Default.ErrorReply, statusCode: refusal.Status);
        }

        var outcome = perform();
        DashboardLog.ActionTaken(logger, action, id, remote, outcome);
        return Results.Json(
            new ActionReply(id, outcome),
            DashboardJson.Default.ActionReply,
            statusCode: outcome == "not-found" ? StatusCodes.Status404NotFound : StatusCodes.Status202Accepted);
    }
}
