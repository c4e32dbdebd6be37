using FuncExec.Core.Tasks;

namespace FuncExec;

/// <summary>Conveniences over <see cref="ITaskRunner"/>.</summary>
public static class TaskRunnerExtensions
{
    /// <summary>Runs one task and returns its report.</summary>
    public static async Task<TaskReport> RunAsync(this ITaskRunner runner, TaskSpec task, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var reports = await runner.RunAsync([task], null, cancellationToken).ConfigureAwait(false);
        return reports[0];
    }
}
