using System.Text;
using FuncExec.Dashboard.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace FuncExec.Dashboard.Endpoints;

/// <summary>
/// <c>GET /api/events</c>: server-sent events. Every push interval while the page is open, one
/// <c>view</c> event whose data is the whole <c>/api/view</c> JSON: aggregated (throughput per
/// second, merged busy spans, the latest tasks), so its size and rate do not grow with the task rate.
/// </summary>
internal static class EventEndpoints
{
    private static readonly byte[] Retry = Encoding.UTF8.GetBytes("retry: 2000\n\n");
    private static readonly byte[] ViewHead = Encoding.UTF8.GetBytes("event: view\ndata: ");
    private static readonly byte[] EventEnd = Encoding.UTF8.GetBytes("\n\n");

    public static void Map(RouteGroupBuilder api, ViewFeed feed, ILogger logger) =>
        api.MapGet("/events", (HttpContext context) => StreamAsync(context, feed, logger));

    private static async Task StreamAsync(HttpContext context, ViewFeed feed, ILogger logger)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var aborted = context.RequestAborted;
        using var listening = feed.Listen();
        try
        {
            await response.Body.WriteAsync(Retry, aborted).ConfigureAwait(false);
            await response.Body.FlushAsync(aborted).ConfigureAwait(false);
            long version = 0;
            while (!aborted.IsCancellationRequested)
            {
                var payload = await feed.NextAsync(version, aborted).ConfigureAwait(false);
                version = payload.Version;
                // The JSON holds no raw newline (the serializer escapes them), so it is one data line.
                await response.Body.WriteAsync(ViewHead, aborted).ConfigureAwait(false);
                await response.Body.WriteAsync(payload.Json, aborted).ConfigureAwait(false);
                await response.Body.WriteAsync(EventEnd, aborted).ConfigureAwait(false);
                await response.Body.FlushAsync(aborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The page closed, or the dashboard is stopping.
        }
        catch (IOException ex)
        {
            DashboardLog.ListenerLeft(logger, ex.Message);
        }
    }
}
