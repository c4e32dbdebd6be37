using FuncExec.Core.Tasks;

namespace FuncExec;

/// <summary>Something that runs task descriptions: the embedded <see cref="LocalCluster"/> or a
/// <see cref="RemoteCluster"/> reached through its scheduler.</summary>
public interface ITaskRunner : IAsyncDisposable
{
    /// <summary>Workers available now.</summary>
    int WorkerCount { get; }

    /// <summary>The most cores one task may ask for.</summary>
    int MaxTaskCores { get; }

    /// <summary>
    /// Runs <paramref name="tasks"/> and returns their reports in the same order. A task that
    /// fails does not stop the others; <paramref name="onFinished"/> hears of each (by position) as it ends.
    /// </summary>
    Task<IReadOnlyList<TaskReport>> RunAsync(IReadOnlyList<TaskSpec> tasks, Action<int, TaskReport>? onFinished = null, CancellationToken cancellationToken = default);
}
