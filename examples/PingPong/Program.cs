using FuncExec;
using PingPong;

// Ping-pong (after discoro's message-passing example): the client and remote tasks exchange
// messages, and two remote tasks on different workers play each other.
//
//   dotnet run --project examples/PingPong -c Release -- [--rounds 1000] [--scheduler host:port]
var rounds = int.Parse(Option("--rounds") ?? "1000", System.Globalization.CultureInfo.InvariantCulture);
var scheduler = Option("--scheduler");
await using var cluster = scheduler is null ? await Cluster.StartLocalAsync() : await Cluster.ConnectAsync(scheduler);
await using var computation = await cluster.ScheduleAsync(new ComputationOptions { Name = "ping-pong" });
var workers = await computation.WorkersAsync();
Console.WriteLine($"ping-pong on {workers.Count} workers");

// The client plays a remote task.
var pong = await computation.SubmitAtAsync(workers[0], ctx => PingPongJobs.Pong(ctx));
for (var hits = 0; hits < 6; hits += 2)
{
    await pong.SendAsync(new Ball(hits));
    var back = await pong.ReceiveAsync<Ball>();
    Console.WriteLine($"client sent {hits} hits, {pong.Name} on {workers[0].Name} returned {back.Hits}");
}

// Two remote tasks play each other: Ping sends to Pong's id; Pong answers whoever sent.
var ping = await computation.SubmitAtAsync(workers[^1], ctx => PingPongJobs.Ping(ctx, pong.Id, rounds));
ping.ProgressChanged += (_, progress) => Console.WriteLine($"  ping: {progress.Message} ({progress.Fraction:P0})");
var roundTrip = await ping;
Console.WriteLine($"task to task: {rounds} rounds between {workers[^1].Name} and {workers[0].Name}, mean round trip {roundTrip:F0} µs");

await pong.SendAsync(new Ball(0, Stop: true));
Console.WriteLine($"pong returned {await pong} balls in all");

// A message to a task that has ended is refused with a clear error.
try
{
    await pong.SendAsync(new Ball(1));
}
catch (MessageNotDeliveredException ex)
{
    Console.WriteLine($"as expected: {ex.Message}");
}

return 0;

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
