using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using FuncExec.Client;
using FuncExec.IntegrationTests.Distributed;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.V1;
using Xunit.Abstractions;
using static FuncExec.IntegrationTests.Tasks;

namespace FuncExec.IntegrationTests.Hostile;

/// <summary>
/// Issue 9: authenticated peers that start huge frames and never finish them, and floods of bad
/// connections, against a real <c>funcexec scheduler</c> process on 127.0.0.1.
/// </summary>
public sealed partial class InboundMemoryTests(ITestOutputHelper output)
{
    private const string Secret = "inbound-memory";
    private const long MiB = 1024 * 1024;
    private const long Budget = 64 * MiB;
    private const int Attackers = 24;
    private const int AttackFrame = 60 * 1024 * 1024;

    // What the scheduler may hold beyond the budget and its idle size: per connection, Kestrel's
    // read buffer and the free allowance, plus the runtime's own slack.
    private const long Slack = 48 * MiB;

    private static readonly TransportSecurity Security = new(Secret);

    [Fact]
    public async Task PartialFrames_24AuthenticatedPeersEachStart60MiB_SchedulerStaysWithinItsBudgetAndGivesTheMemoryBack()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync(
            "--secret", Secret, "--max-inbound-memory", Budget.ToString(CultureInfo.InvariantCulture), "--max-file-size", AttackFrame.ToString(CultureInfo.InvariantCulture));
        await using var _ = scheduler;
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", address, "-c", "1", "--secret", Secret);
        await using var client = await RemoteCluster.ConnectAsync(address, new RemoteClusterOptions { Security = Security });
        await RunAndCheckAsync(client, "warm-up");
        var baseline = Rss(scheduler.Pid);

        using var stop = new CancellationTokenSource();
        var attack = new Attack(address);
        var sending = Enumerable.Range(0, Attackers).Select(i => attack.SendPartialFrameAsync(i, stop.Token)).ToArray();
        var peak = 0L;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, Rss(scheduler.Pid));
                await Task.Delay(50);
            }
        });

        // Past the budget: on a scheduler without one, this much would all be held.
        await attack.WrittenAtLeastAsync(Budget + (16 * MiB));
        await RunAndCheckAsync(client, "during-the-attack");
        peak = Math.Max(peak, Rss(scheduler.Pid));
        await sampling.CancelAsync();
        await sampler;
        await stop.CancelAsync();
        await Task.WhenAll(sending);
        attack.Dispose();
        var after = await SettledRssAsync(scheduler.Pid, baseline + (16 * MiB));

        var figures = $"scheduler RSS: baseline {baseline / MiB} MiB, peak during the attack {peak / MiB} MiB, after {after / MiB} MiB; the attackers wrote {attack.Written / MiB} MiB";
        output.WriteLine(figures);
        Assert.True(peak <= baseline + Budget + Slack, figures);
        Assert.True(after <= baseline + (16 * MiB), figures);
        Assert.False(scheduler.HasExited, scheduler.Output);
        await RunAndCheckAsync(client, "after-the-attack");
    }

    [Fact]
    public async Task Flood_2000GarbageConnections_LogStaysBoundedAndSchedulerKeepsServing()
    {
        const int Connections = 2000;
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--secret", Secret);
        await using var _ = scheduler;
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", address, "-c", "1", "--secret", Secret);
        await using var client = await RemoteCluster.ConnectAsync(address, new RemoteClusterOptions { Security = Security });
        var before = scheduler.Output.Length;
        var started = DateTime.UtcNow;

        await Parallel.ForEachAsync(
            Enumerable.Range(0, Connections),
            new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (i, cancellationToken) => await SendGarbageAsync(address, i, cancellationToken));
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        await RunAndCheckAsync(client, "after-the-flood");
        var log = scheduler.Output[before..];

        // Once the interval has passed, the next refusal's line counts the ones left out.
        var counted = Task.Run(() => scheduler.WaitForAsync("more like it from 127.0.0.1", seconds: 60));
        for (var i = 0; !counted.IsCompleted && i < 60; i++)
        {
            await SendGarbageAsync(address, i, CancellationToken.None);
            await Task.WhenAny(counted, Task.Delay(1000));
        }

        await counted;
        var refusals = log.Split('\n').Count(l => l.Contains("refused a connection from 127.0.0.1", StringComparison.Ordinal));
        var allowed = AllowedLines(seconds);
        output.WriteLine($"{Connections} bad connections in {seconds:0.0} s: {refusals} refusal lines, {log.Length} bytes of log");
        Assert.InRange(refusals, 1, allowed);
        Assert.True(log.Length < (1024 * allowed) + (16 * 1024), $"{log.Length} bytes of log for {Connections} bad connections in {seconds:0} s:\n{log}");
        // Every refusal was either written or counted in a later line.
        var lines = scheduler.Output[before..].Split('\n').Where(l => l.Contains("refused a connection from 127.0.0.1", StringComparison.Ordinal)).ToArray();
        var accounted = lines.Length + lines.Sum(l => SuppressedCount().Match(l) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
        Assert.InRange(accounted, Connections, Connections + 60);
    }

    // One line per address per 10 s, and the flood comes from one address.
    private static int AllowedLines(double seconds) => 1 + (int)Math.Ceiling(seconds / 10);

    private static async Task SendGarbageAsync(string address, int seed, CancellationToken cancellationToken)
    {
        using var socket = await ConnectAsync(address);
        var garbage = Enumerable.Range(0, 512).Select(b => (byte)((b * 7919) + seed)).ToArray();
        await socket.SendAsync(garbage, SocketFlags.None, cancellationToken);
        var sink = new byte[256];
        try
        {
            while (await socket.ReceiveAsync(sink, SocketFlags.None, cancellationToken) > 0)
            {
                // Until the scheduler closes its end: then it has logged (or counted) the refusal.
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Closed with some of the garbage unread: a reset, which is a close all the same.
        }
    }

    [GeneratedRegex(@"\(and (\d+) more like it")]
    private static partial Regex SuppressedCount();

    private static async Task RunAndCheckAsync(RemoteCluster client, string prefix)
    {
        var reports = await client.RunAsync([.. Enumerable.Range(0, 50).Select(i => Method($"{prefix}-{i}", "System.Math.Max", i, 25))]);

        Assert.Equal(Enumerable.Range(0, 50).Select(i => Math.Max(i, 25).ToString(CultureInfo.InvariantCulture)), reports.Select(r => r.ResultJson));
    }

    /// <summary>The resident set of a process, from <c>/proc/PID/status</c>.</summary>
    private static long Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Waits for the resident set to fall to <paramref name="target"/>, returning where it settled if it does not within 30 s.</summary>
    private static async Task<long> SettledRssAsync(int pid, long target)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        long rss;
        while ((rss = Rss(pid)) > target && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        return rss;
    }

    private static async Task<Socket> ConnectAsync(string address)
    {
        var port = int.Parse(address.Split(':')[1], CultureInfo.InvariantCulture);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port);
        return socket;
    }

    /// <summary>Authenticated clients that each announce a frame of 60 MiB and send what the scheduler takes of it.</summary>
    private sealed class Attack(string address) : IDisposable
    {
        private readonly List<Socket> _sockets = [];
        private readonly Lock _lock = new();
        private long _written;

        public long Written => Interlocked.Read(ref _written);

        public async Task SendPartialFrameAsync(int index, CancellationToken cancellationToken)
        {
            var socket = await ConnectAsync(address);
            lock (_lock)
            {
                _sockets.Add(socket);
            }

            var stream = new NetworkStream(socket, ownsSocket: false);
            await Handshake.ConnectAsync(stream, PeerRole.Client, $"attacker-{index}", Security, TimeSpan.FromSeconds(30), cancellationToken);
            var header = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(header, AttackFrame);
            await stream.WriteAsync(header, cancellationToken);
            var chunk = new byte[256 * 1024];
            try
            {
                // One byte short: the frame is never finished.
                for (var sent = 0; sent + chunk.Length < AttackFrame; sent += chunk.Length)
                {
                    await stream.WriteAsync(chunk, cancellationToken);
                    Interlocked.Add(ref _written, chunk.Length);
                }
            }
            catch (OperationCanceledException)
            {
                // The test has seen enough.
            }
            catch (IOException)
            {
                // The scheduler closed this connection (too slow, say): what it holds came back.
            }
        }

        public async Task WrittenAtLeastAsync(long bytes)
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (Written < bytes)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the attackers wrote only {Written / MiB} MiB");
                await Task.Delay(50);
            }
        }

        public void Dispose()
        {
            lock (_lock)
            {
                foreach (var socket in _sockets)
                {
                    socket.Dispose();
                }
            }
        }
    }
}
