using FuncExec.Client;
using FuncExec.Core.Platform;
using FuncExec.Core.Tasks;
using static FuncExec.IntegrationTests.Tasks;

namespace FuncExec.IntegrationTests;

public sealed class LocalClusterTests : IClassFixture<LocalClusterFixture>
{
    private readonly LocalClusterFixture _fixture;

    public LocalClusterTests(LocalClusterFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task StartAsync_TwoWorkers_EachPinnedToItsOwnCore()
    {
        var cluster = _fixture.Cluster;
        Assert.True(await EventuallyAsync(() => cluster.WorkerPids.All(p => p != 0)));
        var pids = cluster.WorkerPids;
        Assert.Equal(2, pids.Count);
        for (var i = 0; i < pids.Count; i++)
        {
            Assert.Equal(cluster.WorkerCores[i].ToString(System.Globalization.CultureInfo.InvariantCulture), CpusAllowed(pids[i]));
        }

        if (CpuAffinity.AvailableCores().Count >= 2)
        {
            Assert.NotEqual(cluster.WorkerCores[0], cluster.WorkerCores[1]);
        }
    }

    [Fact]
    public async Task StartAsync_Workers_EveryThreadOfEveryWorkerIsPinned()
    {
        var cluster = _fixture.Cluster;
        Assert.True(await EventuallyAsync(() => cluster.WorkerPids.All(p => p != 0)));
        for (var i = 0; i < cluster.WorkerPids.Count; i++)
        {
            var pid = cluster.WorkerPids[i];
            var threads = Directory.GetDirectories($"/proc/{pid}/task");
            Assert.NotEmpty(threads);
            foreach (var thread in threads)
            {
                var allowed = File.ReadAllLines(Path.Combine(thread, "status"))
                    .First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal)).Split(':')[1].Trim();
                Assert.Equal(cluster.WorkerCores[i].ToString(System.Globalization.CultureInfo.InvariantCulture), allowed);
            }
        }
    }

    [Fact]
    public async Task RunAsync_EveryKindOfFunction_ReturnsResultsInSubmissionOrder()
    {
        var reports = await _fixture.Cluster.RunAsync(
        [
            Method("min", "System.Math.Min", 1, 2),
            Method("max", "System.Linq.Enumerable.Max", new[] { 3, 9, 4 }),
            Code("sum", "return Enumerable.Range(1, 10).Sum();"),
            Command("echo", "echo", "hello", "world"),
        ]);

        Assert.All(reports, r => Assert.Equal(TaskState.Succeeded, r.State));
        Assert.Equal(["min", "max", "sum", "echo"], reports.Select(r => r.Name));
        Assert.Equal("1", reports[0].ResultJson);
        Assert.Equal("9", reports[1].ResultJson);
        Assert.Equal("55", reports[2].ResultJson);
        Assert.Contains("\"exitCode\":0", reports[3].ResultJson, StringComparison.Ordinal);
        Assert.Contains("hello world\\n", reports[3].ResultJson, StringComparison.Ordinal);
        Assert.All(reports, r => Assert.NotNull(r.Worker));
        Assert.All(reports, r => Assert.True(r.Started <= r.Finished));
    }

    [Fact]
    public async Task RunAsync_TaskRunsOnItsWorkersCore_AffinityMatchesReport()
    {
        var reports = await _fixture.Cluster.RunAsync(
            [.. Enumerable.Range(0, 6).Select(i => Code($"affinity-{i}",
                "return File.ReadAllLines(\"/proc/thread-self/status\").First(l => l.StartsWith(\"Cpus_allowed_list\")).Split(':')[1].Trim();"))]);

        foreach (var report in reports)
        {
            Assert.Equal(TaskState.Succeeded, report.State);
            Assert.Equal($"\"{CpuAffinity.FormatList(report.Cores)}\"", report.ResultJson);
        }
    }

    [Fact]
    public async Task RunAsync_TwoCoreTask_RunsWithBothCoresInItsAffinity()
    {
        if (_fixture.Cluster.WorkerCores.Distinct().Count() < 2)
        {
            return; // A one-core machine cannot show two distinct cores.
        }

        var task = Code("wide", "return File.ReadAllLines(\"/proc/self/status\").First(l => l.StartsWith(\"Cpus_allowed_list\")).Split(':')[1].Trim();") with { Cores = 2 };
        var report = await _fixture.Cluster.RunAsync(task);

        Assert.Equal(TaskState.Succeeded, report.State);
        Assert.Equal(2, report.Cores.Count);
        Assert.Equal($"\"{CpuAffinity.FormatList(report.Cores)}\"", report.ResultJson);
    }

    [Fact]
    public async Task RunAsync_TaskAsksForMoreCoresThanTheCluster_RefusedAtSubmission()
    {
        var ex = await Assert.ThrowsAsync<ResourceRequestException>(() =>
            _fixture.Cluster.RunAsync([Method("ok", "System.Math.Abs", -1), Code("huge", "return 1;") with { Cores = 64 }]));

        Assert.Contains("'huge' asks for 64 cores", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnknownFunction_FailsThatTaskWithSuggestionOthersSucceed()
    {
        var reports = await _fixture.Cluster.RunAsync([Method("typo", "System.Math.Mni", 1, 2), Method("fine", "System.Math.Max", 1, 2)]);

        Assert.Equal(TaskState.Failed, reports[0].State);
        Assert.Contains("Min", reports[0].Error!.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean", reports[0].Error!.Message, StringComparison.Ordinal);
        Assert.Equal(TaskState.Succeeded, reports[1].State);
        Assert.Equal("2", reports[1].ResultJson);
    }

    [Fact]
    public async Task RunAsync_WrongArgumentTypes_FailsListingTheOverloads()
    {
        var report = await _fixture.Cluster.RunAsync(Method("bad-args", "System.Math.Min", "one", "two"));

        Assert.Equal(TaskState.Failed, report.State);
        Assert.Contains("Min(int, int)", report.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(1, report.Attempts);
    }

    [Fact]
    public async Task RunAsync_CodeThatDoesNotCompile_FailsWithLineAndColumnWithoutRunning()
    {
        var reports = await _fixture.Cluster.RunAsync([Code("broken", "var x = 1;\nreturn y;"), Code("fine", "return 2;")]);

        Assert.Equal(TaskState.Failed, reports[0].State);
        Assert.Contains("(2,8)", reports[0].Error!.Message, StringComparison.Ordinal);
        Assert.Contains("CS0103", reports[0].Error!.Message, StringComparison.Ordinal);
        Assert.Equal(0, reports[0].Attempts);
        Assert.Equal("2", reports[1].ResultJson);
    }

    [Fact]
    public async Task RunAsync_ManyDistinctCodes_WorkersRunThemFromSharedImages()
    {
        var run = Guid.NewGuid().ToString("N");

        var reports = await _fixture.Cluster.RunAsync(CodeBatches.Tasks(60, run));

        CodeBatches.AssertRanFromSharedImages(reports, 60, run);
    }

    [Fact]
    public async Task RunAsync_CommandThatDoesNotExist_FailsClearly()
    {
        var report = await _fixture.Cluster.RunAsync(Command("missing", "no-such-command-funcexec"));

        Assert.Equal(TaskState.Failed, report.State);
        Assert.Contains("'no-such-command-funcexec'", report.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CommandExitsNonZero_FailsWithExitCodeAndOutput()
    {
        var report = await _fixture.Cluster.RunAsync(Command("sh", "sh", "-c", "echo out; echo err >&2; exit 4"));

        Assert.Equal(TaskState.Failed, report.State);
        Assert.Contains("exited with code 4", report.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("\"stdout\":\"out\\n\"", report.ResultJson, StringComparison.Ordinal);
        Assert.Contains("\"stderr\":\"err\\n\"", report.ResultJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_FunctionThrows_FailsWithRemoteTypeAndMessage()
    {
        var report = await _fixture.Cluster.RunAsync(Code("throws", "throw new InvalidOperationException(\"no way\");"));

        Assert.Equal(TaskState.Failed, report.State);
        Assert.Equal("System.InvalidOperationException", report.Error!.Type);
        Assert.Equal("no way", report.Error.Message);
    }

    [Fact]
    public async Task RunAsync_CodeWithParams_SeesThemAsArgs()
    {
        var task = Code("args", "return args[0].GetInt32() * args[1].GetString()!.Length;") with
        {
            Params = [System.Text.Json.JsonSerializer.SerializeToElement(6), System.Text.Json.JsonSerializer.SerializeToElement("seven")],
        };

        var report = await _fixture.Cluster.RunAsync(task);

        Assert.Equal("30", report.ResultJson);
    }

    [Fact]
    public async Task RunAsync_ResultOverTheCap_FailsThatTaskWithAClearErrorOthersSucceed()
    {
        var reports = await _fixture.Cluster.RunAsync(
        [
            Code("huge", "return new string('x', 20_000_000);"),
            Code("small", "return 3;"),
        ]);

        Assert.Equal(TaskState.Failed, reports[0].State);
        Assert.Contains("over the cap", reports[0].Error!.Message, StringComparison.Ordinal);
        Assert.Equal("3", reports[1].ResultJson);
    }

    [Theory]
    [InlineData("return new IntPtr(5).GetType();", "RuntimeType")]
    [InlineData("return new MemoryStream(new byte[] { 1, 2 });", "MemoryStream")]
    [InlineData("var cycle = new List<object>(); cycle.Add(cycle); return cycle;", "List<object>")]
    public async Task RunAsync_ResultThatCannotBeSerialized_FailsNamingItsTypeOthersSucceed(string code, string typeName)
    {
        var reports = await _fixture.Cluster.RunAsync([Code("bad", code), Code("good", "return 2;")]);

        Assert.Equal(TaskState.Failed, reports[0].State);
        Assert.Equal(typeof(ResultNotSerializableException).FullName, reports[0].Error!.Type);
        Assert.Contains($"the task returned a {typeName}, which cannot be written as JSON", reports[0].Error!.Message, StringComparison.Ordinal);
        Assert.Equal("2", reports[1].ResultJson);
    }

    [Fact]
    public async Task RunAsync_ResultsWithNaNAndTextBeyondAscii_ArriveAsTheyAre()
    {
        var reports = await _fixture.Cluster.RunAsync(
        [
            Code("nan", "return double.NaN;"),
            Code("text", "return \"héllo ✓ 日本\";"),
            Method("sqrt", "System.Math.Sqrt", -1),
        ]);

        Assert.Equal(["\"NaN\"", "\"héllo ✓ 日本\"", "\"NaN\""], reports.Select(r => r.ResultJson));
    }

    [Fact]
    public async Task RunAsync_TaskPrints_OutputComesBackWithItsReportOnly()
    {
        var reports = await _fixture.Cluster.RunAsync(
        [
            Code("chatty", "Console.WriteLine(\"hello from a task\"); Console.Error.Write(\"and a warning\"); return 1;"),
            Code("quiet", "return 2;"),
        ]);

        Assert.Equal("hello from a task\nand a warning", reports[0].Output);
        Assert.Null(reports[1].Output);
    }
}
