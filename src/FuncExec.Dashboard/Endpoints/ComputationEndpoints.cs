using FuncExec.Dashboard.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FuncExec.Dashboard.Endpoints;

/// <summary><c>GET /api/computations</c>: open and lately closed computations, and the connected clients with the computations each owns.</summary>
internal static class ComputationEndpoints
{
    public static void Map(RouteGroupBuilder api, ViewBuilder views) =>
        api.MapGet("/computations", () => Results.Json(views.ComputationsAndClients(), DashboardJson.Default.ComputationsView));
}
