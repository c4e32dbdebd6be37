using FuncExec;

namespace PingPong;

/// <summary>A ball that goes back and forth; each hit counts.</summary>
/// <param name="Hits">Hits so far.</param>
/// <param name="Stop">Ends the game.</param>
public sealed record Ball(int Hits, bool Stop = false);

/// <summary>The remote tasks of the game.</summary>
public static class PingPongJobs
{
    /// <summary>Returns every ball it gets to whoever sent it (the client or another task), one hit more,
    /// until a ball says stop.</summary>
    /// <returns>How many balls it returned.</returns>
    public static async Task<int> Pong(TaskContext context)
    {
        var returned = 0;
        while (true)
        {
            var message = await context.ReceiveMessageAsync<Ball>(context.CancellationToken);
            if (message.Value.Stop)
            {
                return returned;
            }

            var back = message.Value with { Hits = message.Value.Hits + 1 };
            if (message.From == 0)
            {
                await context.SendAsync(back);
            }
            else
            {
                await context.SendAsync(message.From, back);
            }

            returned++;
        }
    }

    /// <summary>Plays <paramref name="rounds"/> with task <paramref name="partner"/>, reporting progress.</summary>
    /// <returns>The mean round trip in microseconds.</returns>
    public static async Task<double> Ping(TaskContext context, long partner, int rounds)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var ball = new Ball(0);
        for (var round = 1; round <= rounds; round++)
        {
            await context.SendAsync(partner, ball with { Hits = ball.Hits + 1 });
            ball = await context.ReceiveAsync<Ball>(context.CancellationToken);
            if (round % (rounds / 4) == 0)
            {
                context.ReportProgress((double)round / rounds, $"{round} rounds, {ball.Hits} hits");
            }
        }

        return clock.Elapsed.TotalMicroseconds / rounds;
    }
}
