using System.Globalization;
using System.Text.RegularExpressions;
using FuncExec.IntegrationTests.Distributed;
using FuncExec.Protocol.V1;
using Xunit.Abstractions;

namespace FuncExec.IntegrationTests.Hostile;

/// <summary>Issue 9: a flood of short connections that pass the handshake (anyone may, with <c>--insecure</c>)
/// writes a bounded log on a real <c>funcexec scheduler</c> process: each kind of line once per address per 10 s,
/// with a count of the rest.</summary>
public sealed partial class SessionFloodTests(ITestOutputHelper output)
{
    private const string Secret = "session-flood";
    private const int Connections = 500;

    [Fact]
    public async Task Flood_500ClientSessionsConnectAndLeave_EachKindOfLineBoundedAndTheRestCounted()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--secret", Secret);
        await using var _ = scheduler;
        var before = scheduler.Output.Length;
        var started = DateTime.UtcNow;

        await Parallel.ForEachAsync(
            Enumerable.Range(0, Connections),
            new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, _) =>
            {
                await using var peer = await RoguePeer.ConnectAsync(address, PeerRole.Client, $"flood-{i}", Secret);
            });
        var seconds = (DateTime.UtcNow - started).TotalSeconds;

        // Once the interval has passed, the next session's line counts those left out.
        var counted = Task.Run(() => scheduler.WaitForAsync("more client connections from 127.0.0.1", seconds: 60));
        for (var i = 0; !counted.IsCompleted && i < 60; i++)
        {
            await using (await RoguePeer.ConnectAsync(address, PeerRole.Client, "late", Secret))
            {
            }

            await Task.WhenAny(counted, Task.Delay(1000));
        }

        await counted;
        var log = scheduler.Output[before..].Split('\n');
        var connected = log.Where(l => l.Contains("client flood-", StringComparison.Ordinal) && l.Contains("connected from 127.0.0.1", StringComparison.Ordinal)).ToArray();
        var left = log.Count(l => l.Contains("client flood-", StringComparison.Ordinal) && l.Contains(" left (", StringComparison.Ordinal));
        var closed = log.Count(l => l.Contains("Client flood-", StringComparison.OrdinalIgnoreCase) && l.Contains("closed the connection: ", StringComparison.Ordinal));
        var allowed = 1 + (int)Math.Ceiling(seconds / 10);
        output.WriteLine($"{Connections} sessions in {seconds:0.0} s: {connected.Length} connected, {left} left, {closed} closed lines");

        Assert.InRange(connected.Length, 1, allowed);
        Assert.InRange(left, 0, allowed);
        Assert.InRange(closed, 0, allowed);

        // Every session was either written or counted in a later line.
        var all = log.Where(l => l.Contains("connected from 127.0.0.1", StringComparison.Ordinal)).ToArray();
        var accounted = all.Length + all.Sum(l => Suppressed().Match(l) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
        Assert.InRange(accounted, Connections, Connections + 61);
    }

    [GeneratedRegex(@"\(and (\d+) more client connections")]
    private static partial Regex Suppressed();
}
