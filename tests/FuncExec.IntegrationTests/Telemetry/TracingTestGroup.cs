namespace FuncExec.IntegrationTests.Telemetry;

/// <summary>Tracing tests listen to the process-wide "FuncExec" activity source, or need that nothing does: they run
/// alone, so no other test's cluster traces into theirs, nor theirs into others'.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TracingTestGroup
{
    public const string Name = "Tracing";
}
