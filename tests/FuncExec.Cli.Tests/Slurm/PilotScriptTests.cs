using System.Diagnostics;
using FuncExec.Slurm.Pilots;

namespace FuncExec.Cli.Tests.Slurm;

public sealed class PilotScriptTests
{
    private const string Secret = "the $ecret 'of' \"all\"";

    private static PilotRequest Request(int? cpus = null, TimeSpan? margin = null) => new()
    {
        Scheduler = "login1:9700",
        Nodes = 3,
        CpusPerNode = cpus,
        Partition = "compute",
        Time = "01:00:00",
        Account = "proj42",
        ExtraSubmitArgs = ["--qos=debug"],
        DrainMargin = margin ?? TimeSpan.FromSeconds(60),
        Secret = Secret,
        LogDirectory = "/home/me/it's logs",
        Funcexec = ["/usr/bin/dotnet", "/opt/fe/funcexec.dll"],
        NodeArgs = ["--debug"],
    };

    [Fact]
    public void Create_ANormalRequest_HoldsNoSecret_AndIsAValidShellScript()
    {
        var script = PilotScript.Create(Request());

        Assert.DoesNotContain("$ecret", script, StringComparison.Ordinal);
        Assert.DoesNotContain("$ecret", string.Join(' ', PilotScript.SubmitArguments(Request())), StringComparison.Ordinal);
        Assert.Contains("'/home/me/it'\\''s logs'", script, StringComparison.Ordinal);
        Assert.Contains("/usr/bin/dotnet /opt/fe/funcexec.dll node --scheduler login1:9700 --drain-timeout 50s --debug &", script, StringComparison.Ordinal);
        Assert.Contains("trap drain USR1", script, StringComparison.Ordinal);

        using var sh = Process.Start(new ProcessStartInfo("sh", ["-n"]) { RedirectStandardInput = true, RedirectStandardError = true })!;
        sh.StandardInput.Write(script);
        sh.StandardInput.Close();
        var errors = sh.StandardError.ReadToEnd();
        sh.WaitForExit();
        Assert.True(sh.ExitCode == 0, errors);
    }

    [Fact]
    public void SubmitArguments_WholeHostsOrCores_TaggedAndSignalledBeforeTheLimit()
    {
        var whole = PilotScript.SubmitArguments(Request());
        var cores = PilotScript.SubmitArguments(Request(cpus: 8, margin: TimeSpan.FromMinutes(5)));

        Assert.Equal(
            ["--parsable", "--job-name=funcexec-pilot", "--comment=funcexec-pilot scheduler=login1:9700 logs=/home/me/it's logs", "--nodes=3", "--ntasks-per-node=1",
             "--exclusive", "--partition=compute", "--time=01:00:00", "--account=proj42", "--signal=B:USR1@60", "--export=ALL",
             "--output=/home/me/it's logs/pilot-%j.log", "--qos=debug"],
            whole);
        Assert.Contains("--cpus-per-task=8", cores);
        Assert.DoesNotContain("--exclusive", cores);
        Assert.Contains("--signal=B:USR1@300", cores);
    }

    [Theory]
    [InlineData(60, 50)]
    [InlineData(300, 290)]
    [InlineData(10, 5)]
    [InlineData(0, 0)]
    public void DrainTimeout_IsTheMarginLess10s_AtLeastHalfOfIt(int marginSeconds, int expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), Request(margin: TimeSpan.FromSeconds(marginSeconds)).DrainTimeout);
}
