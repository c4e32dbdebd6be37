using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using FuncExec.Client;
using FuncExec.Core.Tasks;
using FuncExec.IntegrationTests.Distributed;
using FuncExec.Protocol.Connections;
using FuncExec.Tests.Fuzz;
using Xunit.Abstractions;
using static FuncExec.IntegrationTests.Tasks;

namespace FuncExec.IntegrationTests.Hostile;

/// <summary>
/// Issue 9: a real <c>funcexec scheduler</c> and <c>funcexec node</c> on 127.0.0.1 with a secret take
/// hostile frames (every envelope body case with hostile field values, garbage, oversized and torn
/// frames) from strangers and from clients and nodes that completed the real handshake; both stay
/// up, and a good run afterwards gets each of its results exactly once.
/// </summary>
/// <remarks>The seed is written to the test output: set <c>FUNCEXEC_FUZZ_SEED</c> to replay a run.
/// <c>bench/FuncExec.Bench.Fuzz</c> runs the same fuzzer for a million frames and more.</remarks>
public sealed class ProtocolFuzzTests(ITestOutputHelper output)
{
    private const string Secret = "fuzz-test-secret";
    private static readonly TimeSpan FuzzFor = TimeSpan.FromSeconds(25);

    [Fact]
    public async Task Scheduler_HostileFramesFromStrangersClientsAndNodes_SchedulerAndNodeStayUpAndAGoodRunGetsEachResultOnce()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUNCEXEC_FUZZ_SEED"), out var given) ? given : Random.Shared.Next();
        output.WriteLine($"seed {seed}");
        var dest = Directory.CreateTempSubdirectory("funcexec-fuzz-");
        try
        {
            var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--secret", Secret, "--dest-path", Path.Combine(dest.FullName, "scheduler"));
            await using var _ = scheduler;
            await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", address, "-c", "2", "--name", "fuzzed", "--secret", Secret, "--dest-path", Path.Combine(dest.FullName, "node"));
            var security = new TransportSecurity(Secret);
            var fuzzer = new ProtocolFuzzer("127.0.0.1", int.Parse(address.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture), security);

            await fuzzer.SendEveryBodyCaseAsync(seed);
            using (var fuzzing = new CancellationTokenSource(FuzzFor))
            {
                // Two loops, not more: the suite runs other test classes beside this one on a small machine.
                await fuzzer.RunAsync(parallel: 2, seed, frameBudget: long.MaxValue, fuzzing.Token);
            }

            output.WriteLine($"{fuzzer.Frames} frames over {fuzzer.Connections} connections, {fuzzer.Handshakes} handshakes ({fuzzer.HandshakeFailures} failed), {fuzzer.Lingering} lingering");
            Assert.False(scheduler.HasExited, $"seed {seed}: the scheduler exited:\n{scheduler.Output}");
            Assert.False(node.HasExited, $"seed {seed}: the node exited:\n{node.Output}");
            Assert.True(fuzzer.Handshakes >= 2 * EnvelopeFuzzer.BodyCases.Count, $"seed {seed}: only {fuzzer.Handshakes} handshakes completed");
            Assert.True(fuzzer.Frames > fuzzer.Handshakes, $"seed {seed}: only {fuzzer.Frames} frames");
            Assert.Equal(0, fuzzer.Lingering);

            try
            {
                await AssertGoodRunAsync(address, security, seed);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // What the two processes said is what tells why the good run did not go through.
                output.WriteLine($"scheduler:\n{scheduler.Output}\nnode:\n{node.Output}");
                throw;
            }

            Assert.False(node.HasExited, $"seed {seed}: the node exited:\n{node.Output}");
            Assert.DoesNotContain("Unhandled exception", scheduler.Output, StringComparison.Ordinal);
        }
        finally
        {
            dest.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Node_HostileFramesFromAnImpostorWithTheSecret_NodeStaysUpAndRejoins()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUNCEXEC_FUZZ_SEED"), out var given) ? given : Random.Shared.Next();
        output.WriteLine($"seed {seed}");
        var dest = Directory.CreateTempSubdirectory("funcexec-fuzz-node-");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            await using var node = FuncexecProcess.Start("node", "--scheduler", $"127.0.0.1:{port}", "-c", "1", "--name", "fuzzed-node", "--secret", Secret, "--dest-path", dest.FullName);
            var impostor = new FuzzingScheduler(listener, new TransportSecurity(Secret), seed);
            using (var fuzzing = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
            {
                await impostor.RunAsync(fuzzing.Token);
            }

            output.WriteLine($"{impostor.Frames} frames over {impostor.Sessions} sessions");
            Assert.False(node.HasExited, $"seed {seed}: the node exited:\n{node.Output}");
            Assert.True(impostor.Sessions >= 2, $"seed {seed}: the node joined only {impostor.Sessions} times:\n{node.Output}");
            // A guard, not a timed assertion: a hung node fails the test instead of hanging the suite.
            using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            var rejoined = await impostor.AcceptRejoinAsync(guard.Token);
            Assert.Equal("fuzzed-node", rejoined.Name);
            Assert.False(node.HasExited, $"seed {seed}: the node exited:\n{node.Output}");
            Assert.DoesNotContain("Unhandled exception", node.Output, StringComparison.Ordinal);
        }
        finally
        {
            listener.Stop();
            dest.Delete(recursive: true);
        }
    }

    private static async Task AssertGoodRunAsync(string address, TransportSecurity security, int seed)
    {
        const int Count = 40;
        var finished = new ConcurrentDictionary<int, int>();
        // A guard, not a timed assertion: a hung scheduler fails the test instead of hanging the suite.
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var client = await RemoteCluster.ConnectAsync(address, new RemoteClusterOptions { Security = security }, guard.Token);

        var reports = await client.RunAsync(
            [.. Enumerable.Range(0, Count).Select(i => Method($"good-{i}", "System.Math.Max", i, -1))],
            (index, _) => finished.AddOrUpdate(index, 1, (_, n) => n + 1),
            guard.Token);

        Assert.Equal(Count, reports.Count);
        Assert.All(reports, r => Assert.Equal(TaskState.Succeeded, r.State));
        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"good-{i}"), reports.Select(r => r.Name));
        Assert.Equal(Enumerable.Range(0, Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), reports.Select(r => r.ResultJson));
        Assert.Equal(Count, reports.Select(r => r.Id).Distinct().Count());
        Assert.True(finished.Count == Count && finished.Values.All(n => n == 1), $"seed {seed}: results reported other than once each: {string.Join(", ", finished.Where(p => p.Value != 1).Select(p => $"{p.Key}x{p.Value}"))}");
    }
}
