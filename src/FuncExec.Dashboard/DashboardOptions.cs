namespace FuncExec;

/// <summary>Where the scheduler's web dashboard listens and how much history it keeps.</summary>
/// <remarks>
/// Defaults: <c>http://127.0.0.1:9780</c>; the last 1,000 finished tasks (and the whole errors, with
/// stacks and causes, of the latest 200 that did not succeed) and the last 5 minutes of throughput and
/// busy time; a push to open pages every 500 ms. The dashboard binds to loopback
/// unless <see cref="IpAddr"/> says otherwise, and answers only requests whose <c>Host</c> is a
/// loopback name (<c>localhost</c>, <c>127.0.0.1</c>, <c>[::1]</c>, any port), the address it
/// listens on or was reached at, or one of <see cref="Hosts"/>.
/// </remarks>
public sealed record DashboardOptions
{
    /// <summary>The default TCP port, 9780.</summary>
    public const int DefaultPort = 9780;

    /// <summary>The address to listen on (<c>127.0.0.1</c>).</summary>
    public string IpAddr { get; init; } = "127.0.0.1";

    /// <summary>The TCP port (9780); 0 picks a free one, reported by the cluster's dashboard URL.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>
    /// More names the dashboard answers to in the request's <c>Host</c> header (<c>--dashboard-host</c>),
    /// such as the DNS name of the scheduler's machine; a port given with a name is ignored.
    /// </summary>
    /// <remarks>
    /// Default: none. Requests for any other host are refused with <c>421</c>, so a web page that
    /// points its own DNS name at this machine (DNS rebinding) cannot read the dashboard or act on it.
    /// </remarks>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>How many finished tasks the task table and <c>/api/tasks</c> keep (1,000).</summary>
    public int FinishedTasksKept { get; init; } = 1000;

    /// <summary>How far back the throughput chart and the busy timeline reach (5 minutes).</summary>
    public TimeSpan HistoryWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often open pages get a fresh view (500 ms).</summary>
    public TimeSpan PushInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}
