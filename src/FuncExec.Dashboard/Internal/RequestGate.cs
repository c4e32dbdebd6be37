using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FuncExec.Dashboard.Internal;

/// <summary>
/// The first thing every request meets: one whose <c>Host</c> does not name this dashboard gets
/// <c>421</c> (DNS rebinding sends the attacker's own name), and a post from a page of another
/// origin gets <c>403</c>, both with a plain-text reason, before any endpoint runs.
/// </summary>
/// <remarks>The first refused host is logged as a warning, the rest at debug level, so a flood of
/// hostile requests cannot flood the log.</remarks>
internal sealed class RequestGate(DashboardAuth auth, ILogger logger)
{
    private const int MaxLoggedLength = 100;
    private int _hostRefusals;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (!auth.HostAllowed(context))
        {
            var host = Shorten(request.Host.Value ?? string.Empty);
            var remote = context.Connection.RemoteIpAddress?.ToString() ?? "?";
            if (Interlocked.Increment(ref _hostRefusals) == 1)
            {
                DashboardLog.HostRefused(logger, host, remote);
            }
            else
            {
                DashboardLog.HostRefusedAgain(logger, host, remote);
            }

            await RefuseAsync(
                context,
                StatusCodes.Status421MisdirectedRequest,
                $"this FuncExec dashboard does not answer to the host '{host}'; open it at http://127.0.0.1 or http://localhost (or an SSH tunnel to one), "
                + "or have its operator add the name with --dashboard-host").ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && DashboardAuth.IsCrossOrigin(request))
        {
            DashboardLog.CrossOriginRefused(logger, request.Method, request.Path, Shorten(request.Headers.Origin.ToString()), context.Connection.RemoteIpAddress?.ToString() ?? "?");
            await RefuseAsync(context, StatusCodes.Status403Forbidden, "the dashboard refuses requests that change anything from pages of another origin").ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private static Task RefuseAsync(HttpContext context, int status, string reason)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(reason + "\n", context.RequestAborted);
    }

    private static string Shorten(string text) => text.Length <= MaxLoggedLength ? text : text[..MaxLoggedLength] + "…";
}
