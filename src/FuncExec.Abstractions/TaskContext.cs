using System.Text.Json;

namespace FuncExec;

/// <summary>
/// What a running task knows about itself and how it talks to the world: its id and cores, its
/// cancellation, messages to and from its client and the other tasks of its computation, and progress.
/// </summary>
/// <remarks>
/// <para>A job method gets its context by declaring a parameter of type <see cref="TaskContext"/> (or just
/// its <see cref="CancellationToken"/> as a parameter of that type): such parameters are filled in by the
/// worker, not taken from the task's arguments. Code that has no such parameter, such as a code string,
/// reads <see cref="Current"/>.</para>
/// <para>Messages are written and read as JSON with the settings task arguments use: enums by name,
/// public fields included, property names matched ignoring case.</para>
/// </remarks>
public sealed class TaskContext
{
    internal static readonly AsyncLocal<TaskRuntime?> Installed = new();

    private readonly TaskRuntime _runtime;

    internal TaskContext(TaskRuntime runtime, long taskId, long computation, int attempt, IReadOnlyList<int> cores, string directory, CancellationToken cancellationToken)
    {
        _runtime = runtime;
        TaskId = taskId;
        Computation = computation;
        Attempt = attempt;
        Cores = cores;
        Directory = directory;
        CancellationToken = cancellationToken;
    }

    /// <summary>The context of the task running on this thread or async flow; null outside a task.</summary>
    public static TaskContext? Current => Installed.Value?.Current;

    /// <summary>The task's id, as the client's handle and the other tasks know it.</summary>
    public long TaskId { get; }

    /// <summary>The computation the task belongs to; 0 when it belongs to none.</summary>
    public long Computation { get; }

    /// <summary>Which attempt this is: 1 for the first run, more after retries.</summary>
    public int Attempt { get; }

    /// <summary>The cores the task runs on; its threads and the processes it starts are pinned to them.</summary>
    public IReadOnlyList<int> Cores { get; }

    /// <summary>
    /// The computation's files folder, which is also the working directory while the task runs; the
    /// worker's working directory when the task belongs to no computation.
    /// </summary>
    public string Directory { get; }

    /// <summary>Signalled when the client cancels the task.</summary>
    /// <remarks>
    /// A task that then ends by throwing <see cref="OperationCanceledException"/> is reported cancelled; one
    /// that returns is reported succeeded. A task that keeps running past the grace period is killed.
    /// </remarks>
    public CancellationToken CancellationToken { get; }

    /// <summary>Sends <paramref name="message"/> to the client that submitted the task.</summary>
    /// <returns>A task that completes once the scheduler has handed the message on.</returns>
    /// <exception cref="MessageNotDeliveredException">The client is gone.</exception>
    public Task SendAsync<T>(T message, CancellationToken cancellationToken = default) => SendAsync(0, message, cancellationToken);

    /// <summary>Sends <paramref name="message"/> to another task of the same computation (0: the client).</summary>
    /// <returns>A task that completes once the scheduler has handed the message on towards that task.</returns>
    /// <exception cref="MessageNotDeliveredException">The task does not exist, is not of this computation, or has ended.</exception>
    public Task SendAsync<T>(long taskId, T message, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(taskId);
        var options = _runtime.JsonOptionsFor(message?.GetType() ?? typeof(T));
        return _runtime.SendAsync(this, taskId, JsonSerializer.SerializeToUtf8Bytes(message, options), cancellationToken);
    }

    /// <summary>The next message for this task, from its client or another task, read as <typeparamref name="T"/>.</summary>
    /// <remarks>Messages wait in the task's inbox until read, also those sent before the task started.</remarks>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before a message came.</exception>
    /// <exception cref="JsonException">The message is not a <typeparamref name="T"/>.</exception>
    public async Task<T> ReceiveAsync<T>(CancellationToken cancellationToken = default) =>
        (await ReceiveMessageAsync<T>(cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>The next message for this task, read as <typeparamref name="T"/>, with its sender (0: the client).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before a message came.</exception>
    /// <exception cref="JsonException">The message is not a <typeparamref name="T"/>.</exception>
    public async Task<TaskMessage<T>> ReceiveMessageAsync<T>(CancellationToken cancellationToken = default)
    {
        var message = await _runtime.ReceiveAsync(this, cancellationToken).ConfigureAwait(false);
        var value = JsonSerializer.Deserialize<T>(message.Value.Span, _runtime.JsonOptionsFor(typeof(T)));
        return new TaskMessage<T>(message.From, value!);
    }

    /// <summary>Reports how far the task has come, for the client and the dashboard.</summary>
    /// <param name="fraction">Done so far, 0 to 1; NaN or a negative number reports none, only the message.</param>
    /// <param name="message">What the task is doing, or null.</param>
    /// <remarks>Reports are coalesced to about 20 a second; the last one is always sent.</remarks>
    public void ReportProgress(double fraction, string? message = null)
    {
        var reported = double.IsNaN(fraction) || fraction < 0 ? -1 : Math.Min(fraction, 1);
        _runtime.ReportProgress(this, reported, message ?? string.Empty);
    }
}
