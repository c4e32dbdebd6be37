using System.Diagnostics;
using System.Text.Json;
using FuncExec.Core.Telemetry;

namespace FuncExec.IntegrationTests.Telemetry;

/// <summary><c>funcexec run --otlp-endpoint</c> exports each task's trace over OTLP, from the run's own process (the
/// client, scheduler and node of its embedded cluster) and from its worker processes, sampled as
/// <c>OTEL_TRACES_SAMPLER_ARG</c> says.</summary>
public sealed class CliTraceExportTests
{
    private static readonly string[] TaskNames = ["min", "max", "abs"];

    [Fact]
    public async Task Run_OtlpEndpointSamplingEveryTrace_EachTaskOneTraceFromSubmitThroughItsWorkerToItsResults()
    {
        await using var receiver = await OtlpReceiver.StartAsync();

        var (exitCode, stdout, stderr) = await RunAsync(receiver, samplerArg: "1");

        AssertAllSucceeded(exitCode, stdout, stderr);
        // The run flushed its spans as it exited; its workers send theirs in batches, so wait for those.
        var received = await receiver.WaitForAsync(received => TaskNames.All(name => received.Any(s => s.Name == "funcexec.execute" && NameOf(s) == name)));
        // OTLP delivers at least once: an export the exporter retried may bring a span twice, under its one id.
        var spans = received.DistinctBy(s => (s.TraceId, s.SpanId)).ToList();
        foreach (var name in TaskNames)
        {
            var submit = One(spans, s => s.Name == "funcexec.submit" && NameOf(s) == name);
            Assert.Equal(string.Empty, submit.ParentSpanId);
            var trace = spans.Where(s => s.TraceId == submit.TraceId).ToList();
            // One execution, and the placement that ran it: a task taken back from a worker before it started (an
            // idle worker took it over) has a queue and a dispatch span for each placement, all in its one trace.
            var execute = One(trace, s => s.Name == "funcexec.execute");
            var dispatch = One(trace, s => s.Name == "funcexec.dispatch" && s.SpanId == execute.ParentSpanId);
            var queue = One(trace, s => s.Name == "funcexec.queue" && s.SpanId == dispatch.ParentSpanId);
            Assert.Equal(submit.SpanId, queue.ParentSpanId);
            Assert.All(trace.Where(s => s.Name is "funcexec.queue"), s => Assert.Equal(submit.SpanId, s.ParentSpanId));
            // The result's way back: at the node under its dispatch, at the scheduler under its queue span.
            One(trace, s => s.Name == "funcexec.result" && s.ParentSpanId == dispatch.SpanId);
            One(trace, s => s.Name == "funcexec.result" && s.ParentSpanId == queue.SpanId);
            // Two processes: the run's (client, scheduler, node) and the worker's, linked by the trace context the task carried.
            Assert.All(trace.Where(s => s != execute), s => Assert.Equal("funcexec-run", s.ServiceName));
            Assert.Equal("funcexec-worker", execute.ServiceName);
            Assert.All(new[] { queue, dispatch, execute }, s => Assert.Equal(name, NameOf(s)));
        }

        // One trace per task, and nothing else traced.
        Assert.Equal(TaskNames.Length, spans.Select(s => s.TraceId).Distinct().Count());
    }

    [Fact]
    public async Task Run_OnlyTheTracesOwnEndpointVariable_TheRunAndItsWorkersExportTheirSpansThere()
    {
        await using var receiver = await OtlpReceiver.StartAsync();

        // The signal's variable is a full URL, used as it is; no --otlp-endpoint, no OTEL_EXPORTER_OTLP_ENDPOINT.
        var (exitCode, stdout, stderr) = await RunAsync(receiver, samplerArg: "1", tracesEndpointOnly: true);

        AssertAllSucceeded(exitCode, stdout, stderr);
        var received = await receiver.WaitForAsync(received => TaskNames.All(name => received.Any(s => s.Name == "funcexec.execute" && NameOf(s) == name)));
        Assert.All(TaskNames, name => Assert.Contains(received, s => s.Name == "funcexec.submit" && NameOf(s) == name && s.ServiceName == "funcexec-run"));
        Assert.All(TaskNames, name => Assert.Contains(received, s => s.Name == "funcexec.execute" && NameOf(s) == name && s.ServiceName == "funcexec-worker"));
    }

    [Fact]
    public async Task Run_SamplerArgZero_NoHopExportsASpan()
    {
        await using var receiver = await OtlpReceiver.StartAsync();

        var (exitCode, stdout, stderr) = await RunAsync(receiver, samplerArg: "0");

        AssertAllSucceeded(exitCode, stdout, stderr);
        // The run flushed whatever it had as it exited; a sampled-out trace leaves nothing to flush, in the run's process
        // or (told by the sampled flag) in its workers'.
        Assert.Empty(receiver.Spans);
        Assert.DoesNotContain("OTEL_TRACES_SAMPLER_ARG", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SamplerAlwaysOffWithArgOne_TheKindWins_NoHopExportsASpan()
    {
        await using var receiver = await OtlpReceiver.StartAsync();

        var (exitCode, stdout, stderr) = await RunAsync(receiver, samplerArg: "1", sampler: "always_off");

        AssertAllSucceeded(exitCode, stdout, stderr);
        Assert.Empty(receiver.Spans);
        Assert.DoesNotContain("OTEL_TRACES_SAMPLER", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SamplerItDoesNotKnow_WarnsThatItIsIgnoredAndTracesAsTheDefaultWithTheArg()
    {
        await using var receiver = await OtlpReceiver.StartAsync();

        var (exitCode, stdout, stderr) = await RunAsync(receiver, samplerArg: "1", sampler: "jaeger_remote");

        AssertAllSucceeded(exitCode, stdout, stderr);
        Assert.Contains("OTEL_TRACES_SAMPLER 'jaeger_remote' is not one of", stderr, StringComparison.Ordinal);
        // parentbased_traceidratio at the ratio 1 the argument gives: every task traced through its worker.
        await receiver.WaitForAsync(received => TaskNames.All(name => received.Any(s => s.Name == "funcexec.execute" && NameOf(s) == name)));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("2")]
    [InlineData("-1")]
    public async Task Run_SamplerArgNotARatio_WarnsThatItIsIgnoredAndRunsTheTasks(string samplerArg)
    {
        await using var receiver = await OtlpReceiver.StartAsync();

        var (exitCode, stdout, stderr) = await RunAsync(receiver, samplerArg);

        AssertAllSucceeded(exitCode, stdout, stderr);
        // As OpenTelemetry's SDK specification wants of an invalid OTEL_TRACES_SAMPLER_ARG: logged, then ignored.
        Assert.Contains($"OTEL_TRACES_SAMPLER_ARG '{samplerArg}' is not a number from 0 to 1", stderr, StringComparison.Ordinal);
        Assert.Contains("0.01", stderr, StringComparison.Ordinal);
    }

    /// <summary>The one span <paramref name="match"/> picks; fails with every span received when there is not one.</summary>
    private static ReceivedSpan One(IReadOnlyList<ReceivedSpan> spans, Func<ReceivedSpan, bool> match)
    {
        var found = spans.Where(match).ToList();
        Assert.True(found.Count == 1, $"{found.Count} spans matched where one was expected; received:\n" + string.Join("\n", spans.Select(s =>
            $"{s.ServiceName} {s.Name} {NameOf(s)} {s.TraceId}/{s.SpanId}<-{s.ParentSpanId} {string.Join(",", s.Attributes.Select(a => $"{a.Key}={a.Value}"))}")));
        return found[0];
    }

    private static string NameOf(ReceivedSpan span) => span.Attributes.GetValueOrDefault(TraceContext.TaskName, string.Empty);

    private static void AssertAllSucceeded(int exitCode, string stdout, string stderr)
    {
        Assert.True(exitCode == 0, $"funcexec run exited with {exitCode}: {stderr}{stdout}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(TaskNames.Order(StringComparer.Ordinal), lines.Select(l => l.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.All(lines, l => Assert.Equal("succeeded", l.GetProperty("status").GetString()));
    }

    /// <summary>Runs three method tasks with <c>funcexec run --otlp-endpoint</c> pointed at <paramref name="receiver"/>,
    /// with no other OTLP setting than the protocol (so what reaches the workers comes from the option).</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(OtlpReceiver receiver, string samplerArg, bool tracesEndpointOnly = false, string? sampler = null)
    {
        var folder = Directory.CreateTempSubdirectory("funcexec-trace-export-");
        try
        {
            var file = Path.Combine(folder.FullName, "tasks.yaml");
            await File.WriteAllTextAsync(file, """
                tasks:
                  - name: min
                    function: System.Math.Min
                    params: [1, 2]
                  - name: max
                    function: System.Math.Max
                    params: [3, 4]
                  - name: abs
                    function: System.Math.Abs
                    params: [-5]
                """);
            var start = tracesEndpointOnly
                ? Funcexec.StartInfo("run", file, "--workers", "2")
                : Funcexec.StartInfo("run", file, "--workers", "2", "--otlp-endpoint", receiver.Endpoint);
            foreach (var variable in start.Environment.Keys.Where(k => k.StartsWith("OTEL_", StringComparison.Ordinal)).ToList())
            {
                start.Environment.Remove(variable);
            }

            if (tracesEndpointOnly)
            {
                start.Environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = receiver.Endpoint.TrimEnd('/') + "/v1/traces";
            }

            start.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            start.Environment["OTEL_BSP_SCHEDULE_DELAY"] = "100";
            start.Environment["OTEL_TRACES_SAMPLER_ARG"] = samplerArg;
            if (sampler is not null)
            {
                start.Environment["OTEL_TRACES_SAMPLER"] = sampler;
            }

            using var run = Process.Start(start)!;
            var stdout = run.StandardOutput.ReadToEndAsync();
            var stderr = run.StandardError.ReadToEndAsync();
            using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await run.WaitForExitAsync(guard.Token);
            return (run.ExitCode, await stdout, await stderr);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
