namespace FuncExec;

/// <summary>
/// What stands behind each <see cref="TaskContext"/>: the process that runs tasks (a worker) implements it,
/// so a context's messages and progress leave that process and the messages for its task arrive.
/// </summary>
/// <remarks>
/// A runtime answers <see cref="TaskContext.Current"/> on the thread that called <see cref="Install"/> and
/// in every thread, task and async flow started from it afterwards.
/// </remarks>
internal abstract class TaskRuntime
{
    /// <summary>Makes this runtime the source of <see cref="TaskContext.Current"/> for the calling flow and what it starts.</summary>
    public void Install() => TaskContext.Installed.Value = this;

    /// <summary>The context of the task this runtime runs now, or null between tasks.</summary>
    /// <remarks>A worker creates a task's context only when the task asks for it, so a task that never does costs nothing.</remarks>
    protected internal abstract TaskContext? Current { get; }

    /// <summary>Sends <paramref name="payloadJson"/> from <paramref name="sender"/>'s task to task <paramref name="toTask"/> (0: the client).</summary>
    /// <returns>A task that completes when the message was handed on, or fails with <see cref="MessageNotDeliveredException"/>.</returns>
    protected internal abstract Task SendAsync(TaskContext sender, long toTask, byte[] payloadJson, CancellationToken cancellationToken);

    /// <summary>The next message for <paramref name="receiver"/>'s task, its payload as UTF-8 JSON.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    protected internal abstract ValueTask<TaskMessage<ReadOnlyMemory<byte>>> ReceiveAsync(TaskContext receiver, CancellationToken cancellationToken);

    /// <summary>The JSON settings messages of <paramref name="type"/> are written and read with.</summary>
    protected internal abstract System.Text.Json.JsonSerializerOptions JsonOptionsFor(Type type);

    /// <summary>Reports <paramref name="sender"/>'s progress: <paramref name="fraction"/> in 0..1, or -1 for none.</summary>
    protected internal abstract void ReportProgress(TaskContext sender, double fraction, string message);

    /// <summary>Creates the context of a task this runtime runs.</summary>
    /// <param name="taskId">The task's id.</param>
    /// <param name="computation">Its computation, 0 for none.</param>
    /// <param name="attempt">Which attempt this is.</param>
    /// <param name="cores">The cores it runs on.</param>
    /// <param name="directory">Its working directory.</param>
    /// <param name="cancellationToken">Signalled when the task is cancelled.</param>
    protected TaskContext CreateContext(long taskId, long computation, int attempt, IReadOnlyList<int> cores, string directory, CancellationToken cancellationToken) =>
        new(this, taskId, computation, attempt, cores, directory, cancellationToken);
}
