using System.Globalization;
using System.Text.Json;
using FuncExec;
using FuncExec.SlurmUser;

// Usage: FuncExec.SlurmUser KEY=VALUE... with scheduler, funcexec (the funcexec.dll compute hosts run), logs, and
// optionally idle and interval (seconds), time (sbatch's), margin (seconds), cpus (per node), partition.
// Then one command a line, each "N COMMAND ARGS", answered by one line "#N ...":
//   N scale NODES | N adapt MIN MAX | N wait NODES SECONDS | N jobs | N dispose
// The secret comes from FUNCEXEC_SECRET. End of input disposes the cluster too.
var given = new Dictionary<string, string>(StringComparer.Ordinal);
foreach (var arg in args)
{
    // A later setting replaces an earlier one.
    var (key, value) = (arg[..arg.IndexOf('=', StringComparison.Ordinal)], arg[(arg.IndexOf('=', StringComparison.Ordinal) + 1)..]);
    given[key] = value;
}

var seconds = (string s) => TimeSpan.FromSeconds(double.Parse(s, CultureInfo.InvariantCulture));
var options = new SlurmClusterOptions
{
    Scheduler = given["scheduler"],
    Funcexec = ["dotnet", given["funcexec"]],
    LogDirectory = given["logs"],
    IdlePeriod = given.TryGetValue("idle", out var idle) ? seconds(idle) : TimeSpan.FromSeconds(60),
    Interval = given.TryGetValue("interval", out var interval) ? seconds(interval) : TimeSpan.FromSeconds(5),
    Time = given.GetValueOrDefault("time"),
    DrainMargin = given.TryGetValue("margin", out var margin) ? seconds(margin) : TimeSpan.FromSeconds(60),
    CpusPerNode = given.TryGetValue("cpus", out var cpus) ? int.Parse(cpus, CultureInfo.InvariantCulture) : null,
    Partition = given.GetValueOrDefault("partition"),
    Connection = RemoteClusterOptions.Default with { LoggerFactory = new ConsoleLoggerFactory() },
};

SlurmCluster cluster;
try
{
    cluster = await SlurmCluster.StartAsync(options);
}
catch (Exception ex) when (ex is FuncExecException or ArgumentException)
{
    Console.WriteLine($"error: {ex.GetType().Name}: {ex.Message}");
    return 1;
}

Console.WriteLine("started");
await using (cluster)
{
    while (await Console.In.ReadLineAsync() is { } line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 2)
        {
            continue;
        }

        var reply = $"#{words[0]} ";
        try
        {
            switch (words[1])
            {
                case "scale":
                    await cluster.ScaleAsync(int.Parse(words[2], CultureInfo.InvariantCulture));
                    reply += "ok";
                    break;
                case "adapt":
                    await cluster.AdaptAsync(int.Parse(words[2], CultureInfo.InvariantCulture), int.Parse(words[3], CultureInfo.InvariantCulture));
                    reply += "ok";
                    break;
                case "wait":
                    await cluster.WaitForNodesAsync(int.Parse(words[2], CultureInfo.InvariantCulture), seconds(words[3]));
                    reply += "ok";
                    break;
                case "jobs":
                    reply += JsonSerializer.Serialize(await cluster.GetJobsAsync());
                    break;
                case "dispose":
                    await cluster.DisposeAsync();
                    Console.WriteLine(reply + "ok");
                    return 0;
                default:
                    reply += "error: unknown command " + words[1];
                    break;
            }
        }
        catch (Exception ex) when (ex is FuncExecException or ArgumentException)
        {
            reply += $"error: {ex.GetType().Name}: {ex.Message}";
        }

        Console.WriteLine(reply);
    }
}

return 0;
