using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FuncExec.Core.Telemetry;

/// <summary>The one <see cref="Meter"/> and the one <see cref="ActivitySource"/> every FuncExec process (client, scheduler,
/// node, worker) reports through. Both are named <see cref="Name"/>: an application's OpenTelemetry setup collects them
/// with <c>AddMeter("FuncExec")</c> and <c>AddSource("FuncExec")</c>.</summary>
/// <remarks>With nothing listening, an instrument's <c>Add</c> or <c>Record</c> and <see cref="ActivitySource.StartActivity(string, ActivityKind)"/>
/// cost a branch each: FuncExec always reports, and a process pays only for what it exports.</remarks>
internal static class FuncExecTelemetry
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "FuncExec";

    private static readonly string? Version = typeof(FuncExecTelemetry).Assembly.GetName().Version?.ToString();

    /// <summary>The meter every FuncExec instrument belongs to.</summary>
    public static readonly Meter Meter = new(Name, Version);

    /// <summary>The source of every FuncExec span.</summary>
    public static readonly ActivitySource ActivitySource = new(Name, Version);
}
