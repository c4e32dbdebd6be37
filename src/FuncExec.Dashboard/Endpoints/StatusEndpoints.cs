using FuncExec.Dashboard.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FuncExec.Dashboard.Endpoints;

/// <summary>
/// <c>GET /api/status</c> (nodes with pulse ages, workers with core, state, task and CPU use, counts),
/// <c>GET /api/view</c> (everything the page draws, as <c>/api/events</c> pushes it) and
/// <c>GET /api/history</c> (throughput per second and the busy timeline).
/// </summary>
internal static class StatusEndpoints
{
    public static void Map(RouteGroupBuilder api, ViewBuilder views)
    {
        api.MapGet("/status", () => Results.Json(views.Status(), DashboardJson.Default.StatusView));
        api.MapGet("/view", () => Results.Json(views.Full(), DashboardJson.Default.DashboardView));
        api.MapGet("/history", () => Results.Json(views.History(), DashboardJson.Default.HistoryView));
    }
}
