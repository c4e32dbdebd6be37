using System.Diagnostics;
using FuncExec.Cli.Telemetry;
using OpenTelemetry.Trace;

namespace FuncExec.Cli.Tests.Telemetry;

/// <summary><c>OTEL_TRACES_SAMPLER</c> and <c>OTEL_TRACES_SAMPLER_ARG</c>, as OpenTelemetry's SDK specification names them:
/// each kind decides as it says, and what FuncExec does not know is reported and ignored.</summary>
public sealed class TraceSamplerTests
{
    // A new trace's id whose ratio decision is "sample" for a ratio over 0.5 and "drop" below it: its first 8 bytes
    // are 2^62, half the largest long.
    private static readonly ActivityTraceId MiddleTrace = ActivityTraceId.CreateFromString("40000000000000000000000000000000");

    private static readonly ActivityContext SampledParent = new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
    private static readonly ActivityContext DroppedParent = new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None);

    [Theory]
    [InlineData(null, null, false, true, false)]
    [InlineData("", "1", true, true, false)]
    [InlineData("parentbased_traceidratio", "0", false, true, false)]
    [InlineData(" ParentBased_TraceIdRatio ", "1", true, true, false)]
    [InlineData("traceidratio", "1", true, true, true)]
    [InlineData("traceidratio", "0", false, false, false)]
    [InlineData("always_on", "0", true, true, true)]
    [InlineData("always_off", "1", false, false, false)]
    [InlineData("parentbased_always_on", null, true, true, false)]
    [InlineData("parentbased_always_off", null, false, true, false)]
    public void TraceSampler_EachKind_DecidesNewTracesAndChildrenAsItsNameSays(string? kind, string? argument, bool newTrace, bool childOfSampled, bool childOfDropped)
    {
        var warnings = new StringWriter();

        var sampler = CliTelemetry.TraceSampler(kind, argument, warnings);

        Assert.Equal(newTrace, Sampled(sampler, default));
        Assert.Equal(childOfSampled, Sampled(sampler, SampledParent));
        Assert.Equal(childOfDropped, Sampled(sampler, DroppedParent));
        Assert.Equal(string.Empty, warnings.ToString());
    }

    [Theory]
    [InlineData("jaeger_remote")]
    [InlineData("xray")]
    [InlineData("always-on")]
    public void TraceSampler_KindItDoesNotKnow_ReportedAndTheDefaultApplies(string kind)
    {
        var warnings = new StringWriter();

        var sampler = CliTelemetry.TraceSampler(kind, "1", warnings);

        Assert.Contains($"OTEL_TRACES_SAMPLER '{kind}' is not one of always_on, always_off", warnings.ToString(), StringComparison.Ordinal);
        Assert.Contains("ignored", warnings.ToString(), StringComparison.Ordinal);
        // parentbased_traceidratio with the argument's ratio, 1: new traces sampled, children follow their parent.
        Assert.True(Sampled(sampler, default));
        Assert.False(Sampled(sampler, DroppedParent));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("2")]
    [InlineData("-0.5")]
    [InlineData("NaN")]
    public void TraceSampler_RatioNotFromZeroToOne_ReportedAndTheDefaultRatioApplies(string argument)
    {
        var warnings = new StringWriter();

        var sampler = CliTelemetry.TraceSampler("traceidratio", argument, warnings);

        Assert.Contains($"OTEL_TRACES_SAMPLER_ARG '{argument}' is not a number from 0 to 1", warnings.ToString(), StringComparison.Ordinal);
        // 0.01: the middle trace id is dropped.
        Assert.False(Sampled(sampler, default));
    }

    private static bool Sampled(Sampler sampler, ActivityContext parent)
    {
        var parameters = new SamplingParameters(parent, parent == default ? MiddleTrace : parent.TraceId, "funcexec.submit", ActivityKind.Client);
        return sampler.ShouldSample(parameters).Decision == SamplingDecision.RecordAndSample;
    }
}
