using FuncExec.Worker;

namespace FuncExec.Node.Tests.Workers;

/// <summary>A command task's process gets the runtime variables as they were before the launcher set the worker's own.</summary>
public sealed class CommandEnvironmentTests
{
    [Fact]
    public void RecordThenRestore_GivesBackWhatWasSet_AndTakesOutWhatWasNot()
    {
        var worker = new Dictionary<string, string?>
        {
            ["DOTNET_gcServer"] = "1",
            ["DOTNET_TieredPGO"] = "a;b=c %20 é",
            ["PATH"] = "/usr/bin",
        };
        CommandEnvironment.Record(worker);
        // What the launcher then sets for the worker itself.
        worker["DOTNET_gcServer"] = "0";
        worker["DOTNET_gcConcurrent"] = "0";
        worker["DOTNET_TieredPGO"] = "1";
        worker["DOTNET_TC_DelaySingleProcMultiplier"] = "1";

        var command = new Dictionary<string, string?>(worker);
        CommandEnvironment.Restore(command);

        Assert.Equal(new Dictionary<string, string?>
        {
            ["DOTNET_gcServer"] = "1",
            ["DOTNET_TieredPGO"] = "a;b=c %20 é",
            ["PATH"] = "/usr/bin",
        }, command);
    }

    [Fact]
    public void Restore_WithoutARecord_LeavesTheEnvironment_AndARecordTouchesOnlyTheRuntimeVariables()
    {
        var untouched = new Dictionary<string, string?> { ["DOTNET_gcServer"] = "0" };
        CommandEnvironment.Restore(untouched);
        Assert.Equal("0", untouched["DOTNET_gcServer"]);

        var named = new Dictionary<string, string?> { ["PATH"] = "/usr/bin", [CommandEnvironment.Variable] = "PATH;LD_PRELOAD=x.so;DOTNET_gcServer" , ["DOTNET_gcServer"] = "0" };
        CommandEnvironment.Restore(named);
        Assert.Equal(new Dictionary<string, string?> { ["PATH"] = "/usr/bin" }, named);
    }
}
