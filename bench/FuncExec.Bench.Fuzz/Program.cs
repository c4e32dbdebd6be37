using FuncExec;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FuncExec.Bench.Fuzz;
using FuncExec.Client;
using FuncExec.Core.Tasks;
using FuncExec.Protocol.Connections;
using FuncExec.Tests.Fuzz;

// Protocol fuzzing at length: a real `funcexec scheduler` and `funcexec node` on 127.0.0.1 with a
// secret take hostile frames (every envelope body case with hostile field values; garbage, oversized
// and torn frames) from strangers and from clients and nodes that completed the real handshake,
// until --frames frames are sent (1,000,000). It prints frames per second and the scheduler's peak
// and final resident memory, then checks that both processes are up and that a good run gets each
// of its results exactly once; exit code 1 when not.
//   dotnet run -c Release --project bench/FuncExec.Bench.Fuzz -- --frames 1000000 [--parallel 4] [--seed N]
const string Secret = "fuzz-bench-secret";
var frames = Arg("--frames", 1_000_000);
var parallel = (int)Arg("--parallel", 4);
var seed = (int)Arg("--seed", Random.Shared.Next());
var dest = Directory.CreateTempSubdirectory("funcexec-fuzz-bench-");
try
{
    var (scheduler, address) = await FuzzedProcess.StartSchedulerAsync(Secret, Path.Combine(dest.FullName, "scheduler"));
    await using (scheduler)
    {
        await using var node = await FuzzedProcess.StartNodeAsync(address, 2, Secret, Path.Combine(dest.FullName, "node"));
        var security = new TransportSecurity(Secret);
        var fuzzer = new ProtocolFuzzer("127.0.0.1", int.Parse(address.Split(':')[1], CultureInfo.InvariantCulture), security) { MaxFramesPerConnection = 500 };
        var start = ProcessMemory.Read(scheduler.Pid);
        Console.WriteLine($"fuzzing the scheduler at {address} (seed {seed}, {parallel} connections at a time) for {frames:N0} frames; scheduler RSS at start {Mib(start.Current)}");

        var clock = Stopwatch.StartNew();
        await fuzzer.SendEveryBodyCaseAsync(seed);
        using var stop = new CancellationTokenSource();
        var run = fuzzer.RunAsync(parallel, seed, frames, stop.Token);
        while (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(10))) != run)
        {
            var now = ProcessMemory.Read(scheduler.Pid);
            Console.WriteLine($"  {clock.Elapsed.TotalSeconds,6:0} s  {fuzzer.Frames,10:N0} frames  {fuzzer.Connections,8:N0} connections  scheduler RSS {Mib(now.Current)} (peak {Mib(now.Peak)})");
            if (scheduler.HasExited || node.HasExited)
            {
                stop.Cancel();
            }
        }

        await run;
        var elapsed = clock.Elapsed;
        var end = ProcessMemory.Read(scheduler.Pid);
        Console.WriteLine($"frames            {fuzzer.Frames:N0} in {elapsed.TotalSeconds:0.0} s: {fuzzer.Frames / elapsed.TotalSeconds:N0} frames/s");
        Console.WriteLine($"connections       {fuzzer.Connections:N0} ({fuzzer.Handshakes:N0} handshakes as client or node, {fuzzer.HandshakeFailures:N0} failed, {fuzzer.Lingering:N0} left open by the scheduler)");
        Console.WriteLine($"scheduler RSS     peak {Mib(end.Peak)}, final {Mib(end.Current)} (start {Mib(start.Current)})");
        if (scheduler.HasExited || node.HasExited)
        {
            Console.WriteLine($"FAIL: the {(scheduler.HasExited ? "scheduler" : "node")} exited (seed {seed}):\n{(scheduler.HasExited ? scheduler.Tail : node.Tail)}");
            return 1;
        }

        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var client = await RemoteCluster.ConnectAsync(address, new RemoteClusterOptions { Security = security }, guard.Token);
        const int Good = 100;
        var seen = new int[Good];
        var reports = await client.RunAsync(
            [.. Enumerable.Range(0, Good).Select(i => new TaskSpec { Name = $"good-{i}", Kind = FunctionKind.Method, Function = "System.Math.Max", Params = [JsonSerializer.SerializeToElement(i), JsonSerializer.SerializeToElement(-1)] })],
            (index, _) => Interlocked.Increment(ref seen[index]),
            guard.Token);
        var right = reports.Count == Good && seen.All(n => n == 1)
            && reports.Select((r, i) => r.State == TaskState.Succeeded && r.ResultJson == i.ToString(CultureInfo.InvariantCulture)).All(ok => ok);
        Console.WriteLine(right ? $"good run          {Good} tasks afterwards: each result exactly once, all right" : $"FAIL: the good run afterwards got {reports.Count} reports, {seen.Count(n => n != 1)} not exactly once");
        return right ? 0 : 1;
    }
}
finally
{
    dest.Delete(recursive: true);
}

string Mib(long bytes) => $"{bytes / (1024.0 * 1024):0.0} MiB";

long Arg(string name, long fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? long.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}
