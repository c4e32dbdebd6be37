namespace FuncExec.Cli.Tests;

/// <summary>What the long-running verbs re-execute themselves with (issue 14: the ReadyToRun code of the start-up path
/// must not become a server's final code).</summary>
public sealed class ServerJitTests
{
    [Fact]
    public void ReadyToRunExcludeList_NoListBefore_NamesTheCommandAndEveryFuncExecLibraryBesideIt()
    {
        var names = ServerJit.ReadyToRunExcludeList(null).Split(';');

        Assert.Contains("funcexec", names);
        Assert.Contains("FuncExec.Core", names);
        Assert.Contains("FuncExec.Scheduler", names);
        Assert.Contains("FuncExec.Node", names);
        Assert.Contains("FuncExec.Worker", names);
        Assert.DoesNotContain(names, n => n.Length == 0 || n.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
        // The framework keeps its ReadyToRun code: a server's start stays as fast as it was.
        Assert.DoesNotContain(names, n => n.StartsWith("System.", StringComparison.Ordinal));
    }

    [Fact]
    public void ReadyToRunExcludeList_AUsersList_KeptFirstAndNothingTwice()
    {
        var names = ServerJit.ReadyToRunExcludeList(" Their.Library ; FuncExec.Core;").Split(';');

        Assert.Equal("Their.Library", names[0]);
        Assert.Single(names, n => n == "FuncExec.Core");
        Assert.Contains("FuncExec.Protocol", names);
    }
}
