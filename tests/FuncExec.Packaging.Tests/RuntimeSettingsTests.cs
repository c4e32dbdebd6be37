using System.Text.Json;

namespace FuncExec.Packaging.Tests;

/// <summary>
/// The runtime settings the <c>funcexec</c> command and the worker start with (README, Benchmark): each was measured, and
/// a build that loses one is slower without failing anything else.
/// </summary>
public sealed class RuntimeSettingsTests
{
    private static string CliOutput => Path.Combine(PackedFuncExec.RepositoryRoot, "src", "FuncExec.Cli", "bin", PackedFuncExec.Configuration, "net10.0");

    [Theory]
    [InlineData("funcexec.runtimeconfig.json")]
    [InlineData("FuncExec.Worker.runtimeconfig.json")]
    public void FuncexecAndWorker_RunWithoutTheBackgroundCollector_AndWithDynamicPgo(string runtimeConfig)
    {
        var settings = ConfigPropertiesOf(Path.Combine(CliOutput, runtimeConfig));

        // The scheduler, the node and the workers ran W1 about 1.25× faster without it.
        Assert.False(settings.GetProperty("System.GC.Concurrent").GetBoolean());
        // Dynamic PGO: without it (DOTNET_TieredPGO=0) W1 through scheduler + node was slower in every round measured.
        Assert.True(settings.GetProperty("System.Runtime.TieredPGO").GetBoolean());
    }

    private static JsonElement ConfigPropertiesOf(string runtimeConfig)
    {
        Assert.True(File.Exists(runtimeConfig), $"{runtimeConfig} is missing: build the CLI first");
        using var json = JsonDocument.Parse(File.ReadAllText(runtimeConfig));
        return json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }
}
