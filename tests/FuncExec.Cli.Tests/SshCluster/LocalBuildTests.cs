using FuncExec.Cli.SshCluster;
using FuncExec.Cli.Tests.Support;
using FuncExec.Tests.Files;

namespace FuncExec.Cli.Tests.SshCluster;

public sealed class LocalBuildTests
{
    [Fact]
    public void Id_SameFiles_SameId_AnyChange_AnotherId()
    {
        using var dir = new TemporaryDirectory();
        dir.Write("a/funcexec.dll", "one");
        dir.Write("b/funcexec.dll", "one");
        var a = new LocalBuild(Path.Combine(dir.Path, "a"));

        Assert.Matches(@"^\d+\.\d+\.\d+-[0-9a-f]{12}$", a.Id);
        Assert.Equal(a.Id, new LocalBuild(Path.Combine(dir.Path, "b")).Id);
        dir.Write("b/funcexec.dll", "two");
        Assert.NotEqual(a.Id, new LocalBuild(Path.Combine(dir.Path, "b")).Id);
        dir.Write("a/extra.dll", string.Empty);
        Assert.NotEqual(a.Id, new LocalBuild(Path.Combine(dir.Path, "a")).Id);
    }
}
