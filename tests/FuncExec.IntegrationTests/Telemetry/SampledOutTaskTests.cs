using System.Diagnostics;
using FuncExec.Client;
using FuncExec.Core.Telemetry;
using FuncExec.TestJobs;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace FuncExec.IntegrationTests.Telemetry;

/// <summary>A task sampled out where its trace began stays untraced in its worker, down to the activities of its own
/// code, whatever listens there.</summary>
[Collection(TracingTestGroup.Name)]
public sealed class SampledOutTaskTests
{
    private const string TestSourceName = "FuncExec.IntegrationTests.SampledOut";
    private const string SampledRoot = "sampled";
    private static readonly ActivitySource TestSource = new(TestSourceName);

    [Fact]
    public async Task RunAsync_ClientSamplesTheTaskOutAndTheWorkerListensByParent_TheTasksOwnActivityIsNotSampledEither()
    {
        var exported = new List<Activity>();
        using var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(FuncExecTelemetry.Name)
            .AddSource(TestSourceName)
            .SetSampler(new ParentBasedSampler(new OnlyRootNamed(SampledRoot)))
            .AddInMemoryExporter(exported)
            .Build();
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1, WarmSpare = false });
        await using var computation = await cluster.ScheduleAsync();
        // The worker exports nothing (no OTLP variable), but the task's code listens to every source in it, FuncExec's
        // included, with a sampler that does not create a child of a parent sampled out: then the worker's execute span
        // of a sampled-out task is not created either, and only the worker's own word keeps the task's code untraced.
        Assert.True(await computation.RunAsync(() => ParentSamplingJobs.ListenFollowingTheParent()));

        // Sampled at the client: the worker's listener records the task's execute span and the code's activity under it.
        string sampled;
        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity(SampledRoot))
        {
            Assert.NotNull(root);
            Assert.True(root.Recorded);
            traceId = root.TraceId;
            sampled = await computation.RunAsync(() => TracingJobs.Child());
        }

        Assert.Matches($"^{traceId.ToHexString()}/[0-9a-f]{{16}}$", sampled);
        Assert.NotEqual($"{traceId.ToHexString()}/{default(ActivitySpanId).ToHexString()}", sampled);

        // Sampled out at the client (no activity: the submit span is a root, and the sampler drops it). The task's own
        // activity would start a trace of its own, which the code's listener records, if the worker ignored the sampled
        // flag the task came with.
        Assert.Equal("untraced", await computation.RunAsync(() => TracingJobs.Child()));
        Assert.Equal("untraced", await computation.RunAsync(() => TracingJobs.Child()));
        Assert.All(exported, a => Assert.Equal(traceId, a.TraceId));
    }

    /// <summary>Samples a new trace only when its root span has the given name.</summary>
    private sealed class OnlyRootNamed(string name) : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
            new(samplingParameters.Name == name ? SamplingDecision.RecordAndSample : SamplingDecision.Drop);
    }
}
