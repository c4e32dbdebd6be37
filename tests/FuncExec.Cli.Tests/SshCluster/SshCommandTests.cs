using FuncExec.Cli.SshCluster;

namespace FuncExec.Cli.Tests.SshCluster;

public sealed class SshCommandTests
{
    [Fact]
    public void Arguments_EveryOption_BatchModeFirstPortAndUserBeforeOptionsHostAfterDoubleDash()
    {
        var host = new ClusterHost
        {
            Name = "n1",
            Host = "node1",
            User = "alice",
            Port = 2222,
            SshConfig = "/cfg",
            Identity = "/key",
            SshOptions = ["ConnectTimeout=3", "Port=22"],
        };

        var args = SshCommand.Arguments(host, "sh -s");

        Assert.Equal(
            [
                "-o", "BatchMode=yes", "-F", "/cfg", "-p", "2222", "-l", "alice", "-i", "/key", "-o", "IdentitiesOnly=yes",
                "-o", "ConnectTimeout=3", "-o", "Port=22",
                "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3", "-T",
                "--", "node1", "sh -s",
            ],
            args);
    }

    [Fact]
    public void Arguments_BareHost_OnlyTheUnattendedDefaults()
    {
        var args = SshCommand.Arguments(new ClusterHost { Name = "n", Host = "n" }, "true");

        Assert.Equal(["-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3", "-T", "--", "n", "true"], args);
    }
}
