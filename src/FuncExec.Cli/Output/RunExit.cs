using FuncExec.Core.Tasks;
using FuncExec.Core.Text;

namespace FuncExec.Cli.Output;

/// <summary>How verbs that print task results end: what they say on standard error, and their exit code
/// (0 all succeeded, 1 some did not, 2 the run could not go on, 3 the scheduler did not come back, 130 interrupted).</summary>
internal static class RunExit
{
    /// <summary>The exit code of a run whose scheduler went away and did not come back within the reattach time.</summary>
    public const int SchedulerLost = 3;

    /// <summary>The scheduler did not come back: keep what finished, list the rest as unknown, say so.</summary>
    public static async Task<int> SchedulerLostAsync(JsonLinesWriter writer, Func<int, string> nameOf, IReadOnlyList<long> ids, string verb, string message)
    {
        var (finished, unknown) = writer.FlushWithUnknown(nameOf, ids, message);
        await Console.Error.WriteLineAsync(
            $"{verb}: {message}\n{verb}: {Plural.Of(finished, "task")} had finished and their results are written; {unknown} {(unknown == 1 ? "is" : "are")} listed as unknown "
            + "(those with an id may still run or have run on the scheduler)").ConfigureAwait(false);
        return SchedulerLost;
    }

    /// <summary>The run could not go on: keep what finished, say why.</summary>
    public static async Task<int> FailedAsync(JsonLinesWriter writer, string verb, string message)
    {
        writer.FlushFinished();
        await Console.Error.WriteLineAsync($"{verb}: {message}").ConfigureAwait(false);
        return 2;
    }

    /// <summary>Ctrl+C: keep what finished, say how much that was.</summary>
    public static async Task<int> InterruptedAsync(JsonLinesWriter writer, int count, string rest)
    {
        var finished = writer.FlushFinished();
        await Console.Error.WriteLineAsync($"interrupted: {finished} of {Plural.Of(count, "task")} had finished; their results are written{rest}").ConfigureAwait(false);
        return 130;
    }

    /// <summary>Every task ended: write the rest, count those that did not succeed.</summary>
    public static Task<int> CompletedAsync(JsonLinesWriter writer, IReadOnlyList<TaskReport> reports) =>
        CompletedAsync(writer, reports.Count, reports.Count(r => r.State != TaskState.Succeeded));

    /// <summary>Every task ended, <paramref name="failed"/> of <paramref name="count"/> without success: write the rest.</summary>
    public static async Task<int> CompletedAsync(JsonLinesWriter writer, int count, int failed)
    {
        writer.Flush();
        if (failed > 0)
        {
            await Console.Error.WriteLineAsync($"{failed} of {Plural.Of(count, "task")} did not succeed").ConfigureAwait(false);
        }

        return failed == 0 ? 0 : 1;
    }
}
