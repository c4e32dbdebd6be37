using FuncExec.Node.Workers;

namespace FuncExec.Node.Tests.Workers;

/// <summary>Issue 14, target 4: a node's workers do not inherit the JIT settings the node set for itself, so a spare's
/// first task runs from ReadyToRun code instead of waiting for FuncExec's task path to be compiled.</summary>
public sealed class WorkerLauncherTests
{
    [Fact]
    public void UndoServerJit_ServerSetBothWithNoListBefore_WorkerGetsNeither()
    {
        var environment = Inherited(exclude: "FuncExec.Node;FuncExec.Core", serverJit: "");

        WorkerLauncher.UndoServerJit(environment, "");

        Assert.False(environment.ContainsKey("DOTNET_TieredCompilation"));
        Assert.False(environment.ContainsKey("DOTNET_ReadyToRunExcludeList"));
        Assert.False(environment.ContainsKey(WorkerLauncher.ServerJitVariable));
        Assert.Equal("/home/user", environment["HOME"]);
    }

    [Fact]
    public void UndoServerJit_ListOfOnesOwnBefore_WorkerGetsThatListBack()
    {
        var environment = Inherited(exclude: "My.Library;FuncExec.Node", serverJit: "My.Library");

        WorkerLauncher.UndoServerJit(environment, "My.Library");

        Assert.Equal("My.Library", environment["DOTNET_ReadyToRunExcludeList"]);
        Assert.False(environment.ContainsKey("DOTNET_TieredCompilation"));
    }

    [Fact]
    public void UndoServerJit_NoServerSetting_EnvironmentUntouched()
    {
        // A node not started by the command (or tiering set by its user, so the command left it alone).
        var environment = new Dictionary<string, string?> { ["DOTNET_TieredCompilation"] = "0", ["DOTNET_ReadyToRunExcludeList"] = "Mine" };

        WorkerLauncher.UndoServerJit(environment, null);

        Assert.Equal("0", environment["DOTNET_TieredCompilation"]);
        Assert.Equal("Mine", environment["DOTNET_ReadyToRunExcludeList"]);
    }

    private static Dictionary<string, string?> Inherited(string exclude, string serverJit) => new()
    {
        ["HOME"] = "/home/user",
        ["DOTNET_TieredCompilation"] = "0",
        ["DOTNET_ReadyToRunExcludeList"] = exclude,
        [WorkerLauncher.ServerJitVariable] = serverJit,
    };
}
