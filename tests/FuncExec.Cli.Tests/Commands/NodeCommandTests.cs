using FuncExec.Cli.Commands;

namespace FuncExec.Cli.Tests.Commands;

public sealed class NodeCommandTests
{
    [Fact]
    public void Workers_KeepsBackMoreCoresThanThereAre_WarnsNamingCoresAndStartsOne()
    {
        var error = new StringWriter();

        var workers = NodeCommand.Workers("run", "--workers", -5, 2, error);

        Assert.Equal(1, workers);
        Assert.Equal("run: warning: --workers -5 keeps 5 cores back, but this machine has 2 cores; starting 1 worker", error.ToString().Trim());
    }

    [Theory]
    [InlineData(-1, 2)]
    [InlineData(0, 2)]
    [InlineData(3, 2)]
    public void Workers_LeavesACore_PassesTheRequestOnSilently(int requested, int cores)
    {
        var error = new StringWriter();

        Assert.Equal(requested, NodeCommand.Workers("node", "-c", requested, cores, error));
        Assert.Empty(error.ToString());
    }

    [Theory]
    [InlineData(-5, 2, 1)]
    [InlineData(-2, 2, 1)]
    [InlineData(-1, 2, 1)]
    [InlineData(-1, 4, 3)]
    [InlineData(0, 4, 4)]
    [InlineData(6, 4, 6)]
    public void WorkerCount_Resolve_NegativeKeepsCoresBackAtLeastOne(int requested, int cores, int expected)
    {
        Assert.Equal(expected, FuncExec.Node.WorkerCount.Resolve(requested, cores));
    }
}
