using System.Text.Json;

namespace FuncExec.Packaging.Tests;

/// <summary>
/// The runtime settings the <c>funcexec</c> command and the worker start with (README, Benchmark): each was measured, and
/// a build that loses one is slower without failing anything else.
/// </summary>
public sealed class RuntimeSettingsTests
{
    private static string CliOutput => Path.Combine(PackedFuncExec.RepositoryRoot, "src", "FuncExec.Cli", "bin", PackedFuncExec.Configuration, "net10.0");

    [Fact]
    public void Funcexec_RunsWithoutTheBackgroundCollector_AndRecompilesHotMethodsWithoutWaiting()
    {
        var settings = ConfigPropertiesOf(Path.Combine(CliOutput, "funcexec.runtimeconfig.json"));

        Assert.False(settings.GetProperty("System.GC.Concurrent").GetBoolean());
        // A scheduler or node busy from its start ran W1 at about two thirds of its later speed while the runtime waited
        // for 100 ms without a method compiled for the first time before counting calls.
        Assert.Equal(0, settings.GetProperty("System.Runtime.TieredCompilation.CallCountingDelayMs").GetInt32());
    }

    [Fact]
    public void Worker_RunsWithoutTheBackgroundCollector_AndKeepsTheRuntimesDelayBeforeRecompiling()
    {
        var settings = ConfigPropertiesOf(Path.Combine(CliOutput, "FuncExec.Worker.runtimeconfig.json"));

        Assert.False(settings.GetProperty("System.GC.Concurrent").GetBoolean());
        // Without the delay a spare worker's recompilations, on its own core, ran into the first task it took after a kill
        // (kill → next task's code p50 15–16 ms against 10–13 ms).
        Assert.False(settings.TryGetProperty("System.Runtime.TieredCompilation.CallCountingDelayMs", out _));
    }

    private static JsonElement ConfigPropertiesOf(string runtimeConfig)
    {
        Assert.True(File.Exists(runtimeConfig), $"{runtimeConfig} is missing: build the CLI first");
        using var json = JsonDocument.Parse(File.ReadAllText(runtimeConfig));
        return json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }
}
