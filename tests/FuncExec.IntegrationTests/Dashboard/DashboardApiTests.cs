using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using FuncExec.Client;
using FuncExec.Dashboard;
using FuncExec.Protocol.Connections;
using FuncExec.Server;
using FuncExec.IntegrationTests.Distributed;
using static FuncExec.IntegrationTests.Tasks;

namespace FuncExec.IntegrationTests.Dashboard;

/// <summary>The dashboard's JSON API, event stream and rules for kill and cancel, over real HTTP on 127.0.0.1.</summary>
public sealed class DashboardApiTests
{
    private static readonly DashboardOptions FreePort = new() { Port = 0 };

    /// <summary>A code task that fails with an exception and its cause.</summary>
    internal const string ThrowsWithACause = "throw new InvalidOperationException(\"outer\", new ArgumentException(\"inner cause\"));";

    [Fact]
    public async Task Status_ForTheDashboard_LeavesTheJournalUncounted_FuncexecStatusGetsIt()
    {
        // The dashboard builds the status for every view it shows and shows no journal figures: counting them reads the
        // journal's database (tenths of a second with a few hundred thousand results kept).
        var folder = Directory.CreateTempSubdirectory("funcexec-dashboard-journal-").FullName;
        await using var server = await SchedulerServer.StartAsync(Options("s3cret") with { Journal = Path.Combine(folder, "journal.db") });

        Assert.Null(new SchedulerDashboardSource(server).Status().Journal);
        Assert.StartsWith("sqlite ", server.BuildStatus(journal: true).Journal!.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kill_WithoutTheSecret_Is401()
    {
        await using var server = await SchedulerServer.StartAsync(Options("s3cret"));
        using var http = new HttpClient { BaseAddress = server.Dashboard!.Url };

        using var response = await http.PostAsync("api/tasks/1/kill", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("X-FuncExec-Secret", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KillAndCancel_WithAWrongSecret_Are403()
    {
        await using var server = await SchedulerServer.StartAsync(Options("s3cret"));
        using var http = new HttpClient { BaseAddress = server.Dashboard!.Url };
        http.DefaultRequestHeaders.Add("X-FuncExec-Secret", "s3cre");

        using var kill = await http.PostAsync("api/tasks/1/kill", null);
        using var cancel = await http.PostAsync("api/tasks/1/cancel", null);

        Assert.Equal(HttpStatusCode.Forbidden, kill.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, cancel.StatusCode);
    }

    [Fact]
    public async Task Kill_WithTheSecret_IsCarriedOut()
    {
        await using var server = await SchedulerServer.StartAsync(Options("s3cret"));
        using var http = new HttpClient { BaseAddress = server.Dashboard!.Url };
        http.DefaultRequestHeaders.Add("X-FuncExec-Secret", "s3cret");

        using var response = await http.PostAsync("api/tasks/424242/kill", null);

        // Allowed; there is no such task, and the reply says so.
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not-found", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Kill_NoClusterSecretFromLoopback_IsAllowedButNotFromAnotherOrigin()
    {
        await using var server = await SchedulerServer.StartAsync(Options(secret: null));
        using var http = new HttpClient { BaseAddress = server.Dashboard!.Url };

        using var plain = await http.PostAsync("api/tasks/424242/kill", null);
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "api/tasks/424242/kill");
        crossSite.Headers.Add("Origin", "http://evil.example");
        using var refused = await http.SendAsync(crossSite);

        Assert.Equal(HttpStatusCode.NotFound, plain.StatusCode); // allowed: the task just does not exist
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("s3cret", false)]
    public async Task View_InsecureOrNot_TellsThePageWhetherToShowTheBanner(string? secret, bool insecure)
    {
        await using var server = await SchedulerServer.StartAsync(Options(secret));
        using var http = new HttpClient { BaseAddress = server.Dashboard!.Url };

        var view = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/view", UriKind.Relative))).RootElement;
        var page = await http.GetStringAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(insecure, view.GetProperty("insecure").GetBoolean());
        Assert.Contains("id=\"insecure\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_IsServedFromTheAssembly_WithTheVendoredChartLibrary()
    {
        await using var server = await SchedulerServer.StartAsync(Options(secret: null));
        using var http = new HttpClient { BaseAddress = server.Dashboard!.Url };

        var page = await http.GetStringAsync(new Uri("/", UriKind.Relative));
        using var uplot = await http.GetAsync("vendor/uplot/uPlot.iife.min.js");

        Assert.Contains("<table id=\"tasks\">", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, uplot.StatusCode);
        Assert.Equal("text/javascript", uplot.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Status_ClusterWithANode_ListsNodeWithPulseAgeAndWorkersWithCoreStateTaskAndCpu()
    {
        await using var cluster = await DashboardCluster.StartAsync(workers: 2, nodeName: "api1");
        await cluster.Client.RunAsync([Method("abs-1", "System.Math.Abs", -1), Method("max-1", "System.Math.Max", 1, 2)]);
        using var http = new HttpClient { BaseAddress = cluster.Url };

        var status = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/status", UriKind.Relative))).RootElement;
        var tasks = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/tasks?filter=abs", UriKind.Relative))).RootElement;

        Assert.Equal(500, status.GetProperty("pulseIntervalMs").GetInt64());
        Assert.True(status.GetProperty("summary").GetProperty("completed").GetInt64() >= 2);
        var node = status.GetProperty("nodes").EnumerateArray().Single();
        Assert.Equal("api1", node.GetProperty("name").GetString());
        Assert.StartsWith("127.0.0.1:", node.GetProperty("address").GetString(), StringComparison.Ordinal);
        Assert.InRange(node.GetProperty("pulseAgeMs").GetInt64(), 0, 5000);
        Assert.False(node.GetProperty("stuck").GetBoolean());
        var workers = node.GetProperty("workers").EnumerateArray().ToList();
        Assert.Equal(2, workers.Count);
        Assert.Equal(["api1/worker-0", "api1/worker-1"], workers.Select(w => w.GetProperty("name").GetString()));
        Assert.All(workers, w =>
        {
            Assert.Equal(JsonValueKind.Number, w.GetProperty("core").ValueKind);
            Assert.Equal("idle", w.GetProperty("state").GetString());
            Assert.Equal(0, w.GetProperty("task").GetInt64());
            Assert.Equal(JsonValueKind.Number, w.GetProperty("cpu").ValueKind);
        });
        var abs = Assert.Single(tasks.EnumerateArray());
        Assert.Equal("abs-1", abs.GetProperty("name").GetString());
        Assert.Equal("succeeded", abs.GetProperty("state").GetString());
    }

    [Fact]
    public async Task TaskError_TaskThrowsWithACause_RowHasTypeAndMessageAndTheErrorEndpointTheChain()
    {
        await using var cluster = await DashboardCluster.StartAsync(workers: 1, nodeName: "err1");
        var report = Assert.Single(await cluster.Client.RunAsync([Code("boom", ThrowsWithACause)]));
        using var http = new HttpClient { BaseAddress = cluster.Url };

        var row = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/tasks?filter=InvalidOperation", UriKind.Relative))).RootElement;
        var error = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/tasks/{report.Id}/error", UriKind.Relative))).RootElement;
        using var unknown = await http.GetAsync(new Uri("api/tasks/424242/error", UriKind.Relative));

        Assert.Equal(TaskState.Failed, report.State);
        var task = Assert.Single(row.EnumerateArray());
        Assert.Equal(("boom", "failed"), (task.GetProperty("name").GetString(), task.GetProperty("state").GetString()));
        Assert.Equal("System.InvalidOperationException", task.GetProperty("errorType").GetString());
        Assert.Equal("outer", task.GetProperty("errorMessage").GetString());
        Assert.Equal((report.Id, "boom", "failed"), (error.GetProperty("id").GetInt64(), error.GetProperty("name").GetString(), error.GetProperty("state").GetString()));
        var top = error.GetProperty("error");
        Assert.Equal(("System.InvalidOperationException", "outer"), (top.GetProperty("type").GetString(), top.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrEmpty(top.GetProperty("stack").GetString()));
        var cause = Assert.Single(top.GetProperty("inner").EnumerateArray());
        Assert.Equal(("System.ArgumentException", "inner cause"), (cause.GetProperty("type").GetString(), cause.GetProperty("message").GetString()));
        Assert.Equal(0, cause.GetProperty("inner").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no error kept", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Computations_NamedComputationOpen_ListedWithItsClientAndTally()
    {
        await using var cluster = await DashboardCluster.StartAsync(workers: 1, nodeName: "comp1");
        var options = DashboardCluster.ClientOptions with { Name = "dashboard-api-client" };
        await using var client = await Cluster.ConnectAsync(cluster.Address, options);
        await using var computation = await client.ScheduleAsync(new ComputationOptions { Name = "api-comp" });
        await computation.RunAsync<int>(Method("in-comp", "System.Math.Abs", -3));
        using var http = new HttpClient { BaseAddress = cluster.Url };

        var view = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/computations", UriKind.Relative))).RootElement;

        var listed = view.GetProperty("computations").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "api-comp");
        Assert.True(listed.GetProperty("open").GetBoolean());
        Assert.False(listed.GetProperty("exclusive").GetBoolean());
        Assert.Equal(1, listed.GetProperty("done").GetInt64());
        Assert.StartsWith("dashboard-api-client at 127.0.0.1:", listed.GetProperty("client").GetString(), StringComparison.Ordinal);
        var owner = view.GetProperty("clients").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "dashboard-api-client");
        Assert.Equal([listed.GetProperty("id").GetString()], owner.GetProperty("computations").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task Status_NodeStopsPulsing_ShownStuckBeforeItIsLost()
    {
        // Pulses every second: stuck after 2 s of silence, lost after 5 s.
        await using var cluster = await DashboardCluster.StartAsync(workers: 1, nodeName: "frozen", pulseInterval: "1");
        using var http = new HttpClient { BaseAddress = cluster.Url };
        Assert.False(await NodeStuckAsync(http));

        Signal("STOP", cluster.Node.Pid);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!await NodeStuckAsync(http))
            {
                Assert.True(DateTime.UtcNow < deadline, "the silent node was never shown stuck");
                await Task.Delay(100);
            }
        }
        finally
        {
            Signal("CONT", cluster.Node.Pid);
        }
    }

    [Fact]
    public async Task Events_PageListening_ReceivesViewsWithNodesTasksAndCharts()
    {
        await using var cluster = await DashboardCluster.StartAsync(workers: 1, nodeName: "sse1");
        await cluster.Client.RunAsync([Method("sse-task", "System.Math.Abs", -5)]);
        using var http = new HttpClient { BaseAddress = cluster.Url };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var response = await http.GetAsync(new Uri("api/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token), Encoding.UTF8);
        var views = new List<JsonElement>();
        string? eventName = null;
        while (views.Count < 2 && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventName = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName == "view")
            {
                views.Add(JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone());
            }
        }

        Assert.Equal(2, views.Count);
        Assert.True(views[1].GetProperty("now").GetInt64() > views[0].GetProperty("now").GetInt64());
        var view = views[1];
        Assert.Equal("sse1", view.GetProperty("nodes")[0].GetProperty("name").GetString());
        Assert.Contains(view.GetProperty("tasks").GetProperty("finished").EnumerateArray(), t => t.GetProperty("name").GetString() == "sse-task");
        Assert.Equal(1, view.GetProperty("throughput").GetProperty("counts").EnumerateArray().Sum(c => c.GetInt32()));
        Assert.Equal(["sse1/0"], view.GetProperty("timeline").GetProperty("lanes").EnumerateArray().Select(l => l.GetString()));
        Assert.Contains(view.GetProperty("clients").EnumerateArray(), c => c.GetProperty("address").GetString()!.StartsWith("127.0.0.1:", StringComparison.Ordinal));
        // The header's count is the list's, and `funcexec status`'s (both read StatusReply.clients).
        Assert.Equal(view.GetProperty("clients").GetArrayLength(), view.GetProperty("summary").GetProperty("clients").GetInt32());
    }

    [Fact]
    public async Task Scheduler_DashboardPortInUse_FailsNamingTheOption()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var (exitCode, _, stderr) = await Funcexec.RunAsync("scheduler", "--ip-addr", "127.0.0.1", "--port", "0", "--udp-port", "0", "--dashboard-port", port);

        Assert.Equal(2, exitCode);
        Assert.Contains($"127.0.0.1:{port}", stderr, StringComparison.Ordinal);
        Assert.Contains("--dashboard-port", stderr, StringComparison.Ordinal);
        Assert.Contains("--no-dashboard", stderr, StringComparison.Ordinal);
    }

    private static async Task<bool> NodeStuckAsync(HttpClient http)
    {
        var status = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/status", UriKind.Relative))).RootElement;
        var node = status.GetProperty("nodes").EnumerateArray().Single();
        return node.GetProperty("stuck").GetBoolean() && node.GetProperty("pulseAgeMs").GetInt64() > 2000;
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    private static SchedulerServerOptions Options(string? secret) => new()
    {
        IpAddr = "127.0.0.1",
        Port = 0,
        UdpPort = 0,
        Security = new TransportSecurity(secret),
        Insecure = secret is null, // no secret only when asked for: else the scheduler makes one
        Dashboard = FreePort,
    };
}
