using FuncExec;
using FuncExec.TestJobs.Sqlite;

// Runs SqliteJobs on the embedded cluster, or on the scheduler named by the first argument, and prints
// what they return: a user's program whose jobs need a package's native library on the workers.
await using var cluster = args.Length == 0
    ? await Cluster.StartLocalAsync(new LocalClusterOptions { Workers = 1 })
    : await Cluster.ConnectAsync(args[0]);
await using var computation = await cluster.ScheduleAsync(new ComputationOptions { Name = "sqlite-jobs" });
Console.WriteLine($"sum: {await computation.RunAsync(() => SqliteJobs.Sum(5))}");
var sums = await computation.MapAsync(Enumerable.Range(1, 10), n => SqliteJobs.Sum(n));
Console.WriteLine($"sums: {string.Join(',', sums)}");
Console.WriteLine($"context: {await computation.RunAsync(() => SqliteJobs.LoadContext())}");
