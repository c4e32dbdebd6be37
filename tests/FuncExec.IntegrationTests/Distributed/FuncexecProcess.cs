using System.Text.RegularExpressions;

namespace FuncExec.Tests.Processes;

/// <summary>Schedulers and nodes for the cluster tests.</summary>
internal sealed partial class FuncexecProcess
{
    /// <summary>Starts a scheduler on a free port (no discovery, no dashboard unless <paramref name="extra"/> asks) and returns it with its address.</summary>
    public static async Task<(FuncexecProcess Scheduler, string Address)> StartSchedulerAsync(params string[] extra)
    {
        // Tests run side by side: the dashboard's fixed default port would collide.
        string[] dashboard = extra.Contains("--dashboard-port") ? [] : ["--no-dashboard"];
        var scheduler = Start(["scheduler", "--ip-addr", "127.0.0.1", "--port", "0", "--udp-port", "0", .. dashboard, .. extra]);
        await scheduler.WaitForAsync("listening on", seconds: 30);
        var port = ListeningPort().Match(scheduler.Output).Groups[1].Value;
        return (scheduler, $"127.0.0.1:{port}");
    }

    /// <summary>Starts <c>funcexec node</c> with <paramref name="args"/> and waits until it says it joined its scheduler.</summary>
    public static async Task<FuncexecProcess> StartNodeAsync(params string[] args)
    {
        var node = Start(["node", .. args]);
        try
        {
            await node.WaitForAsync("joined scheduler", seconds: 30);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    [GeneratedRegex(@"listening on [^\s]*:(\d+)")]
    private static partial Regex ListeningPort();
}
