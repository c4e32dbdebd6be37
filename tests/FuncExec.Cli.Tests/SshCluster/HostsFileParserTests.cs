using FuncExec.Cli.SshCluster;
using FuncExec.Cli.Tests.Support;
using FuncExec.Tests.Files;

namespace FuncExec.Cli.Tests.SshCluster;

public sealed class HostsFileParserTests : IDisposable
{
    private readonly TemporaryDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private IReadOnlyList<ClusterHost> Parse(string text) => HostsFileParser.Parse(text, "hosts", _dir.Path);

    [Fact]
    public void Parse_HostLines_ReadUserHostPortAndOptions()
    {
        var hosts = Parse("""
            node1
            alice@node2:2222 -c 4 --name big --dest-path "/scratch/fx cache"
            [fe80::1%eth0]:22 --cpus=-1
            bob@::1
            """);

        Assert.Equal(["node1", "big", "fe80--1-eth0", "--1"], hosts.Select(h => h.Name));
        var (first, second, third, fourth) = (hosts[0], hosts[1], hosts[2], hosts[3]);
        Assert.Equal(("node1", null, null, 1), (first.Host, first.User, first.Port, first.Line));
        Assert.Equal(("node2", "alice", 2222, 2, 4), (second.Host, second.User, second.Port, second.Line, second.Cpus));
        Assert.Equal("/scratch/fx cache", second.DestPath);
        Assert.Equal(("fe80::1%eth0", 22, -1), (third.Host, third.Port, third.Cpus));
        Assert.Equal(("::1", "bob", null), (fourth.Host, fourth.User, fourth.Port));
        Assert.All(hosts, h => Assert.Equal(ClusterHost.DefaultRemoteDir, h.RemoteDir));
        Assert.All(hosts, h => Assert.Null(h.SchedulerHost));
        Assert.All(hosts, h => Assert.Equal(9700, h.SchedulerPort));
    }

    [Fact]
    public void Parse_FileWideOptions_ApplyToEveryHostWhereverTheyStand_HostOptionsWin()
    {
        _dir.Write("keys/fx", "key");
        _dir.Write("keys/other", "key");
        var hosts = Parse("""
            # defaults may stand anywhere in the file
            -c 2 --identity keys/fx --remote-dir /srv/fx --scheduler 10.0.0.5:9800
            a
            b -c 8 --identity keys/other --scheduler :9900
            -o ConnectTimeout=3 --dotnet ~/.dotnet/dotnet
            """);

        Assert.Equal((2, Path.Combine(_dir.Path, "keys/fx"), "/srv/fx"), (hosts[0].Cpus, hosts[0].Identity, hosts[0].RemoteDir));
        Assert.Equal(("10.0.0.5", 9800), (hosts[0].SchedulerHost, hosts[0].SchedulerPort));
        Assert.Equal((8, Path.Combine(_dir.Path, "keys/other"), "/srv/fx"), (hosts[1].Cpus, hosts[1].Identity, hosts[1].RemoteDir));
        // ":port" is this machine, whatever the file-wide host.
        Assert.Equal((null, 9900), (hosts[1].SchedulerHost, hosts[1].SchedulerPort));
        Assert.All(hosts, h => Assert.Equal("~/.dotnet/dotnet", h.Dotnet));
        Assert.All(hosts, h => Assert.Equal(["ConnectTimeout=3"], h.SshOptions));
    }

    [Fact]
    public void Parse_SshOptionsAndNodeArguments_AddUp_HostsOwnSshOptionsFirst()
    {
        var hosts = Parse("""
            -o ConnectTimeout=3 -- --debug
            a -o ConnectTimeout=20 --ssh-option=Compression=yes -- --max-file-size 1000 --ext-ip-addr "1.2.3.4"
            """);

        // ssh keeps the first value of an option: the host's own must come first to win.
        Assert.Equal(["ConnectTimeout=20", "Compression=yes", "ConnectTimeout=3"], hosts[0].SshOptions);
        Assert.Equal(["--debug", "--max-file-size", "1000", "--ext-ip-addr", "1.2.3.4"], hosts[0].NodeArgs);
    }

    [Fact]
    public void Parse_QuotesEscapesAndComments_ReadLikeAShell()
    {
        var hosts = Parse("""
            a --dest-path '/a b/$HOME' # a comment
            b --dest-path "/c \"d\" \\e" --funcexec /opt/fx#1/funcexec.dll
               # an indented comment

            c --dest-path /e\ f
            """);

        Assert.Equal(["a", "b", "c"], hosts.Select(h => h.Name));
        Assert.Equal("/opt/fx#1/funcexec.dll", hosts[1].Funcexec);
        Assert.Equal(["/a b/$HOME", "/c \"d\" \\e", "/e f"], hosts.Select(h => h.DestPath));
    }

    [Theory]
    [InlineData("a --core 3", "hosts:1:3: unknown option '--core'")]
    [InlineData("a -c", "hosts:1:3: '-c' needs a value")]
    [InlineData("a -c many", "hosts:1:3: '-c' takes a number of workers")]
    [InlineData("a\na:2222", "hosts:2:1: node name 'a' is taken by line 1")]
    [InlineData("a\n--name x", "hosts:2:1: --name names one host")]
    [InlineData("a -c 1 --cpus 2", "hosts:1:8: '--cpus' is given twice on this line")]
    [InlineData("-c 1\na\n-c 2", "hosts:3:1: '--cpus' is already set for every host on line 1")]
    [InlineData("a:99999", "hosts:1:1: 'a:99999' is not [user@]host[:port]: the port '99999'")]
    [InlineData("@a", "hosts:1:1: '@a' is not [user@]host[:port]: the user name is empty")]
    [InlineData("a/b", "hosts:1:1: 'a/b' is not [user@]host[:port]: 'a/b' is not a host name")]
    [InlineData("[::1", "hosts:1:1: '[::1' is not [user@]host[:port]: write an IPv6 address")]
    [InlineData("a b", "hosts:1:3: 'b' is not an option; put each host on a line of its own")]
    [InlineData("a --identity nokey", "hosts:1:3: identity file 'nokey' does not exist here")]
    [InlineData("a --scheduler host:port", "hosts:1:3: '--scheduler host:port' is not host[:port] or :port")]
    [InlineData("a --name 'bad name'", "hosts:1:3: node name 'bad name' must be")]
    [InlineData("a --dest-path ''", "hosts:1:3: '--dest-path' needs a path")]
    [InlineData("\n\n  a --dest-path \"x", "hosts:3:17: this quote \" is not closed")]
    [InlineData("a --dest-path 'x", "hosts:1:15: this quote ' is not closed")]
    [InlineData("# only a comment\n-c 2\n", "hosts: no hosts in it")]
    public void Parse_Malformed_NamesFileLineAndColumn(string text, string expected)
    {
        var error = Assert.Throws<HostsFileException>(() => Parse(text));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingFile_SaysSo()
    {
        var path = Path.Combine(_dir.Path, "nope");

        var error = Assert.Throws<HostsFileException>(() => HostsFileParser.Read(path));

        Assert.Equal($"{path}: no such file", error.Message);
    }

    [Fact]
    public void Read_RelativeLocalFiles_ResolvedAgainstTheHostsFilesFolder()
    {
        var config = _dir.Write("conf/ssh_config", "Host *\n");
        var hosts = _dir.Write("conf/hosts", "a -F ssh_config\n");

        Assert.Equal(config, HostsFileParser.Read(hosts)[0].SshConfig);
    }

    [Theory]
    [InlineData("10.0.0.5", "10.0.0.5", 9700)]
    [InlineData("10.0.0.5:9800", "10.0.0.5", 9800)]
    [InlineData("[fe80::1]:9800", "fe80::1", 9800)]
    [InlineData(":9800", null, 9800)]
    public void TryParseScheduler_Forms_HostAndPort(string text, string? host, int port)
    {
        Assert.True(HostsFileParser.TryParseScheduler(text, out var scheduler));
        Assert.Equal((host, port), scheduler);
    }

    [Theory]
    [InlineData("host:port")]
    [InlineData(":0")]
    [InlineData("")]
    public void TryParseScheduler_NotAnAddress_False(string text) =>
        Assert.False(HostsFileParser.TryParseScheduler(text, out _));
}
