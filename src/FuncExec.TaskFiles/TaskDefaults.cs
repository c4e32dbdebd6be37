namespace FuncExec.TaskFiles;

/// <summary>The settings under a task file's <c>defaults:</c>; null where it sets none.</summary>
/// <param name="Cores">Cores of every task that sets none.</param>
/// <param name="Priority">Priority of every task that sets none.</param>
/// <param name="Timeout">Timeout of every task that sets none; a task's <c>timeout: null</c> clears it.</param>
/// <param name="Retries">Retries of every task that sets none.</param>
/// <param name="Assembly">Absolute assembly path of every function task that sets none.</param>
internal sealed record TaskDefaults(int? Cores, int? Priority, TimeSpan? Timeout, int? Retries, string? Assembly)
{
    /// <summary>No defaults: every task gets <see cref="TaskSpec"/>'s own.</summary>
    public static TaskDefaults None { get; } = new(null, null, null, null, null);
}
