namespace FuncExec.Dashboard;

/// <summary>Where the scheduler's web dashboard listens and how much history it keeps.</summary>
/// <remarks>
/// Defaults: <c>http://127.0.0.1:9780</c>; the last 1,000 finished tasks and the last 5 minutes of
/// throughput and busy time; a push to open pages every 500 ms. The dashboard binds to loopback
/// unless <see cref="IpAddr"/> says otherwise.
/// </remarks>
public sealed record DashboardOptions
{
    /// <summary>The default TCP port, 9780.</summary>
    public const int DefaultPort = 9780;

    /// <summary>The address to listen on (<c>127.0.0.1</c>).</summary>
    public string IpAddr { get; init; } = "127.0.0.1";

    /// <summary>The TCP port (9780); 0 picks a free one, reported by <see cref="DashboardServer.Url"/>.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>How many finished tasks the task table and <c>/api/tasks</c> keep (1,000).</summary>
    public int FinishedTasksKept { get; init; } = 1000;

    /// <summary>How far back the throughput chart and the busy timeline reach (5 minutes).</summary>
    public TimeSpan HistoryWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often open pages get a fresh view (500 ms).</summary>
    public TimeSpan PushInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}
