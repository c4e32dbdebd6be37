using System.Globalization;
using FactorialFarm;
using FuncExec;

// The factorial farm (after "submit jobs to remote cores, terminate the ones no longer needed,
// keep every core busy"): jobs compute factorials of large integers and write them to a folder;
// a monitor watches the folder, kills the jobs whose answer is no longer needed (a factorial
// within 3,000 of theirs is already in the folder: a neighbour's result serves), submits new
// ones so no core idles, and prints core utilization.
//
//   dotnet run --project examples/FactorialFarm -c Release -- [--seconds 20] [--out DIR] [--scheduler host:port] [--scale 1]
// --scale multiplies the sizes of the integers (and so the jobs' length): 0.05 for a quick run.
var seconds = double.Parse(Option("--seconds") ?? "20", CultureInfo.InvariantCulture);
var scale = double.Parse(Option("--scale") ?? "1", CultureInfo.InvariantCulture);
var near = (int)(3_000 * scale);
var output = Path.GetFullPath(Option("--out") ?? Path.Combine(Path.GetTempPath(), "factorial-farm"));
var scheduler = Option("--scheduler");
if (Directory.Exists(output))
{
    Directory.Delete(output, recursive: true);
}

Directory.CreateDirectory(output);
await using var cluster = scheduler is null ? await Cluster.StartLocalAsync() : await Cluster.ConnectAsync(scheduler);
await using var computation = await cluster.ScheduleAsync(new ComputationOptions { Name = "factorial-farm" });
var workers = (await computation.WorkersAsync()).Count;
Console.WriteLine($"farm: {workers} workers; results in {output}; running {seconds:0} s");

using var stop = new CancellationTokenSource();
var meter = new BusyMeter();
var watching = Task.Run(async () =>
{
    try
    {
        await foreach (var e in computation.StatusAsync(stop.Token))
        {
            meter.Add(e);
        }
    }
    catch (OperationCanceledException)
    {
        // The farm is closing.
    }
});

var random = new Random(7);
var running = new List<(RemoteTask<long> Task, int N)>();
var seen = new HashSet<string>();
var results = new List<int>();
var (done, killed) = (0, 0);
var clock = System.Diagnostics.Stopwatch.StartNew();
meter.Start();

async Task SubmitAsync()
{
    // A new job is one whose answer is still needed, and not a job already running.
    int n;
    do
    {
        // The range grows with the results, so there is always room for a needed job.
        n = (int)(random.Next(20_000, 80_000 + (6_000 * results.Count)) * scale);
    }
    while (results.Any(done => Math.Abs(done - n) <= near) || running.Any(job => job.N == n));

    running.Add((await computation.SubmitAsync(() => FactorialJobs.Factorial(n, output)), n));
}

for (var i = 0; i < workers + 1; i++)
{
    // One more than the workers, so a freed core has its next job already queued.
    await SubmitAsync();
}

while (clock.Elapsed.TotalSeconds < seconds)
{
    await Task.Delay(100);

    // The monitor watches the folder for new results.
    ScanFolder();
    running.RemoveAll(job => job.Task.IsCompleted);

    // A job whose factorial is within 3,000 of one already in the folder is no longer needed: kill it.
    foreach (var job in running.ToList())
    {
        var neighbour = results.FirstOrDefault(n => Math.Abs(n - job.N) <= near);
        if (neighbour == 0)
        {
            continue;
        }

        var state = await job.Task.KillAsync();
        running.Remove(job);
        if (state == TaskState.Killed)
        {
            killed++;
            Console.WriteLine($"[{clock.Elapsed.TotalSeconds,5:F1} s] killed  {job.N}! (not needed: {neighbour}! is done)");
        }
    }

    // Keep every core busy.
    while (running.Count < workers + 1)
    {
        await SubmitAsync();
    }
}

var elapsed = meter.Stop();

// Time is up: the jobs still running are stopped, and once each is confirmed ended, the folder
// holds every result there will be. A job that finished before its kill arrived counts as done.
foreach (var job in running)
{
    await job.Task.KillAsync();
}

ScanFolder();
await stop.CancelAsync();
await watching;
Console.WriteLine($"farm: {done} factorials done, {killed} jobs killed, core utilization {meter.Utilization(workers, elapsed):P1} over {elapsed.TotalSeconds:F1} s");
return 0;

void ScanFolder()
{
    foreach (var file in Directory.EnumerateFiles(output, "*.bin").Order())
    {
        if (seen.Add(file))
        {
            var n = int.Parse(Path.GetFileNameWithoutExtension(file), CultureInfo.InvariantCulture);
            results.Add(n);
            done++;
            Console.WriteLine($"[{clock.Elapsed.TotalSeconds,5:F1} s] done    {n}! ({new FileInfo(file).Length:N0} bytes)");
        }
    }
}

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

/// <summary>Measures how busy the workers were, from the computation's task started/finished events.</summary>
internal sealed class BusyMeter
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, DateTimeOffset> _started = [];
    private TimeSpan _busy;
    private DateTimeOffset _from;
    private DateTimeOffset? _to;

    public void Start() => _from = DateTimeOffset.UtcNow;

    public TimeSpan Stop()
    {
        lock (_lock)
        {
            _to = DateTimeOffset.UtcNow;
            foreach (var started in _started.Values)
            {
                _busy += _to.Value - Max(started, _from);
            }

            _started.Clear();
            return _to.Value - _from;
        }
    }

    public void Add(ClusterEvent e)
    {
        lock (_lock)
        {
            if (_to is not null)
            {
                return;
            }

            switch (e.Kind)
            {
                case ClusterEventKind.TaskStarted:
                    _started[e.TaskId] = e.Time;
                    break;
                case ClusterEventKind.TaskFinished when _started.Remove(e.TaskId, out var start):
                    _busy += e.Time - Max(start, _from);
                    break;
            }
        }
    }

    public double Utilization(int workers, TimeSpan elapsed) => _busy / (elapsed * workers);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
