using System.Net;
using FuncExec.Core.Telemetry;
using FuncExec.Dashboard.Endpoints;
using FuncExec.Dashboard.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace FuncExec.Dashboard;

/// <summary>
/// The scheduler's live web dashboard: one page (nodes with pulse ages, workers, a throughput chart,
/// the busy timeline, a filterable task table with kill and cancel, computations and their clients)
/// fed by a JSON API and a server-sent event stream.
/// </summary>
/// <remarks>
/// <para>It runs its own Kestrel host rather than an endpoint of the scheduler's: the protocol host
/// runs frame handlers inline on socket threads, which suits short non-blocking frames but not
/// HTTP handlers that serialize views or hold event streams open; and a separate host fails on its
/// own port with its own error.</para>
/// <para>Endpoints: <c>GET /</c> (the page), <c>GET /api/status</c>, <c>/api/view</c>,
/// <c>/api/history</c>, <c>/api/tasks?filter=</c>, <c>/api/tasks/{id}/error</c>, <c>/api/computations</c>, <c>/api/auth</c>,
/// <c>/api/events</c> (server-sent events); <c>POST /api/tasks/{id}/kill</c>,
/// <c>/api/tasks/{id}/cancel?graceMs=</c>, <c>/api/login</c>, <c>/api/logout</c>; <c>GET /metrics</c> (the
/// process's <c>FuncExec</c> instruments in the Prometheus text format, read like the API).</para>
/// <para>It answers only requests whose <c>Host</c> names it (loopback names, its own address, and
/// <see cref="DashboardOptions.Hosts"/>), and refuses posts from pages of another origin. Reads need
/// no login while it listens on loopback; listening beyond loopback, they need the cluster secret.
/// Kill and cancel need the cluster secret in the <c>X-FuncExec-Secret</c> header; when the
/// cluster has no secret they are allowed from loopback only, by a loopback host name.</para>
/// </remarks>
internal sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ViewFeed _feed;
    private readonly IDisposable _subscription;

    private DashboardServer(WebApplication app, ViewFeed feed, IDisposable subscription, Uri url)
    {
        _app = app;
        _feed = feed;
        _subscription = subscription;
        Url = url;
    }

    /// <summary>Where the page is, with the real port when 0 was asked.</summary>
    public Uri Url { get; }

    /// <summary>Starts serving the dashboard of <paramref name="source"/>.</summary>
    /// <exception cref="IOException">The port is in use, the address cannot be bound, or a name in <see cref="DashboardOptions.Hosts"/> is not a host name; the message says which option to change.</exception>
    public static async Task<DashboardServer> StartAsync(DashboardOptions options, IDashboardSource source, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        if (!IPAddress.TryParse(options.IpAddr, out var address))
        {
            throw new IOException($"the dashboard address '{options.IpAddr}' is not an IP address (--dashboard-ip)");
        }

        var logger = loggerFactory.CreateLogger("FuncExec.Dashboard");
        var time = TimeProvider.System;
        var history = new ClusterHistory(options.FinishedTasksKept, options.HistoryWindow, time);
        var views = new ViewBuilder(source, history, time);
        DashboardAuth auth;
        try
        {
            auth = new DashboardAuth(source.Secret, address, options.Hosts);
        }
        catch (ArgumentException ex)
        {
            throw new IOException(ex.Message, ex);
        }

        var feed = new ViewFeed(views, options.PushInterval, time, logger);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, DashboardJson.Default));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, options.Port));
        // The process's FuncExec instruments, in the Prometheus text format at /metrics.
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(FuncExecTelemetry.Name).AddPrometheusExporter());
        var app = builder.Build();

        app.Use(new RequestGate(auth, logger).InvokeAsync);
        var api = app.MapGroup("/api");
        AuthEndpoints.Map(api, auth);
        var reads = app.MapGroup("/api").AddEndpointFilter(async (context, next) =>
            auth.RefuseRead(context.HttpContext) is { } refusal
                ? Results.Json(new Api.ErrorReply(refusal.Reason), DashboardJson.Default.ErrorReply, statusCode: refusal.Status)
                : await next(context).ConfigureAwait(false));
        StatusEndpoints.Map(reads, views);
        TaskEndpoints.Map(reads, views, auth, source.Scheduler, logger);
        ComputationEndpoints.Map(reads, views);
        EventEndpoints.Map(reads, feed, logger);
        StaticAssetEndpoints.Map(app, new StaticAssets());
        MetricsEndpoint.Map(app, auth);

        // Subscribed before serving, so the history holds every task from the first page on.
        var subscription = source.Scheduler.Subscribe(history.OnEvents);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex.InnerException is AddressInUseException)
        {
            subscription.Dispose();
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException(
                $"the dashboard cannot listen on {options.IpAddr}:{options.Port}: the port is in use; "
                + "choose another with --dashboard-port (0 picks a free one), or turn the dashboard off with --no-dashboard",
                ex);
        }
        catch
        {
            subscription.Dispose();
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        feed.Start();
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var url = new UriBuilder("http", address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString(), bound.Port).Uri;
        DashboardLog.Listening(
            logger,
            url.ToString(),
            auth.SecretConfigured ? "need the cluster secret" : "from loopback only (no cluster secret)",
            auth.ListensBeyondLoopback ? "need the cluster secret" : "open on loopback");
        if (!auth.SecretConfigured && !IPAddress.IsLoopback(address))
        {
            DashboardLog.OpenToTheNetwork(logger, url.ToString());
        }

        return new DashboardServer(app, feed, subscription, url);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        await _feed.DisposeAsync().ConfigureAwait(false);
        using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stopTimeout.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
