using FuncExec.Dashboard.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FuncExec.Dashboard.Endpoints;

/// <summary>
/// <c>GET /metrics</c>: the process's <c>FuncExec</c> instruments in the Prometheus text format, by OpenTelemetry's
/// Prometheus exporter. Read like the API: free on a dashboard that listens on loopback only, otherwise only with the
/// cluster secret, which a Prometheus scrape config sends as <c>authorization: { credentials: SECRET }</c> (a bearer
/// token); a refusal is a plain-text reason with the status the API would answer.
/// </summary>
internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static void Map(IEndpointRouteBuilder app, DashboardAuth auth) =>
        app.MapPrometheusScrapingEndpoint(
            Path,
            meterProvider: null,
            configureBranchedPipeline: branch => branch.Use(async (context, next) =>
            {
                if (auth.RefuseRead(context) is { } refusal)
                {
                    context.Response.StatusCode = refusal.Status;
                    context.Response.ContentType = "text/plain; charset=utf-8";
                    await context.Response.WriteAsync(refusal.Reason + "\n", context.RequestAborted).ConfigureAwait(false);
                    return;
                }

                await next(context).ConfigureAwait(false);
            }),
            optionsName: null);
}
