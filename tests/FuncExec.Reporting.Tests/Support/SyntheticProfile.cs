using System.Globalization;

namespace FuncExec.Reporting.Tests.Support;

/// <summary>A made-up run written as profile CSV rows, with the values the rows were made from kept aside, so a
/// test can compute the expected report from them and compare.</summary>
internal sealed class SyntheticProfile
{
    public const string Header = "record,time_us,task_id,name,computation,worker,cores,status,attempts,queued_us,started_us,finished_us,busy_workers,workers,queued,completed";
    public const long T0 = 1_763_800_000_000_000;

    private static readonly string[] Statuses = ["succeeded", "succeeded", "succeeded", "succeeded", "failed", "timed-out", "killed", "cancelled"];

    public List<string> Rows { get; } = [Header];

    public List<(long Id, string Worker, string Status, long? Started, long Finished)> Tasks { get; } = [];

    public List<string> Workers { get; } = [];

    /// <summary>Workers <c>nodeN/worker-M</c> run single-core tasks back to back with random gaps; a few tasks end
    /// without starting; the state is sampled every 100 ms.</summary>
    public static SyntheticProfile Random(int seed, int nodes, int workersPerNode, int tasksPerWorker)
    {
        var random = new Random(seed);
        var profile = new SyntheticProfile();
        long id = 0;
        for (var n = 1; n <= nodes; n++)
        {
            for (var w = 0; w < workersPerNode; w++)
            {
                var worker = $"node{n}/worker-{w}";
                profile.AddWorker(T0, worker, w);
                var time = T0 + random.Next(0, 50_000);
                for (var i = 0; i < tasksPerWorker; i++)
                {
                    var start = time + random.Next(0, 20_000);
                    var end = start + random.Next(1_000, 200_000);
                    profile.AddTask(++id, $"task {id}, \"w{w}\"", worker, Statuses[random.Next(Statuses.Length)], T0, start, end);
                    time = end;
                }
            }
        }

        for (var i = 0; i < 5; i++)
        {
            profile.AddTask(++id, "killed while queued", string.Empty, "killed", T0, null, T0 + 100_000 + i);
        }

        var last = profile.Tasks.Max(t => t.Finished);
        for (var t = T0; t <= last; t += 100_000)
        {
            profile.AddSample(t, busy: random.Next(0, nodes * workersPerNode), workers: nodes * workersPerNode, queued: random.Next(0, 500), completed: profile.Tasks.Count(x => x.Finished <= t));
        }

        return profile;
    }

    public void AddWorker(long time, string worker, int core)
    {
        Workers.Add(worker);
        Rows.Add(Invariant($"worker,{time},,,,{worker},{core},,,,,,,,,"));
    }

    public void AddWorkerDied(long time, string worker, string reason) => Rows.Add(Invariant($"worker-died,{time},,,,{worker},,{Quote(reason)},,,,,,,,"));

    public void AddTask(long id, string name, string worker, string status, long queued, long? started, long finished, string? cores = null)
    {
        Tasks.Add((id, worker, status, started, finished));
        cores ??= worker.Length == 0 ? string.Empty : worker[^1..];
        Rows.Add(Invariant($"task,{finished},{id},{Quote(name)},1,{worker},{cores},{status},1,{queued},{started},{finished},,,,"));
    }

    public void AddSample(long time, int busy, int workers, int queued, long completed) =>
        Rows.Add(Invariant($"sample,{time},,,,,,,,,,,{busy},{workers},{queued},{completed}"));

    public string Write(string path)
    {
        File.WriteAllText(path, string.Join('\n', Rows) + "\n");
        return path;
    }

    private static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
