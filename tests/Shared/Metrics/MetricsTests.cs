namespace FuncExec.Tests.Metrics;

/// <summary>Tests that count what the process-wide instruments measure: run alone, after the parallel ones, so no
/// other test's tasks, workers or connections are counted with theirs.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsTests
{
    public const string Name = "FuncExec metrics";
}
