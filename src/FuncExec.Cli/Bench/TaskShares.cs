namespace FuncExec.Cli.Bench;

/// <summary>How a cell's tasks are split across its clients.</summary>
internal static class TaskShares
{
    /// <summary>Client k of <paramref name="clients"/> gets the arguments from <c>First</c> on, <c>Count</c> of them:
    /// consecutive ranges of nearly equal size (the first <c>tasks % clients</c> get one more) covering 0..tasks-1.</summary>
    public static (int First, int Count)[] Split(int tasks, int clients)
    {
        var shares = new (int, int)[clients];
        var first = 0;
        for (var k = 0; k < clients; k++)
        {
            var count = (tasks / clients) + (k < tasks % clients ? 1 : 0);
            shares[k] = (first, count);
            first += count;
        }

        return shares;
    }
}
