using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using FuncExec.Client.Internal;
using FuncExec.Core.Functions;
using FuncExec.Core.Tasks;

namespace FuncExec;

/// <summary>
/// A task submitted to a computation: await it for its result, exchange messages with it,
/// watch its progress, cancel or kill it.
/// </summary>
/// <remarks>
/// Messages from the task arrive in the order it sent them, and all of them before the task's
/// result. <see cref="Messages"/> ends when the task ends.
/// </remarks>
public class RemoteTask
{
    private readonly TaskCompletionSource<TaskReport> _report = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<JsonElement> _inbox = Channel.CreateUnbounded<JsonElement>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly IClusterBackend _backend;
    private TaskProgressInfo? _progress;

    internal RemoteTask(IClusterBackend backend, string name)
    {
        _backend = backend;
        Name = name;
    }

    /// <summary>How long to wait for the scheduler to take a message or a cancel (the computation's <see cref="ComputationOptions.Timeout"/>).</summary>
    internal TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The scheduler's id for the task (known once submitted).</summary>
    public long Id { get; internal set; }

    /// <summary>The task's name.</summary>
    public string Name { get; }

    /// <summary>The final report, once the task has ended.</summary>
    public Task<TaskReport> Completion => _report.Task;

    /// <summary>Whether the task has ended.</summary>
    public bool IsCompleted => _report.Task.IsCompleted;

    /// <summary>The last progress the task reported, if any.</summary>
    public TaskProgressInfo? Progress => Volatile.Read(ref _progress);

    /// <summary>Raised (on a pool thread) each time the task reports progress.</summary>
    public event Action<RemoteTask, TaskProgressInfo>? ProgressChanged;

    /// <summary>The messages the task sends to this client, as JSON, in order; ends when the task ends.</summary>
    public IAsyncEnumerable<JsonElement> Messages => _inbox.Reader.ReadAllAsync();

    /// <summary>Waits for the next message from the task and reads it as <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidOperationException">The task ended without sending another message.</exception>
    public async Task<T> ReceiveAsync<T>(CancellationToken cancellationToken = default)
    {
        if (!await _inbox.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) || !_inbox.Reader.TryRead(out var message))
        {
            throw new InvalidOperationException($"task {Id} ('{Name}') ended without sending another message");
        }

        return message.Deserialize<T>(FuncExecJson.Options)!;
    }

    /// <summary>Reads the task's messages as <typeparamref name="T"/> until it ends.</summary>
    public async IAsyncEnumerable<T> ReadMessagesAsync<T>([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var message in _inbox.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return message.Deserialize<T>(FuncExecJson.Options)!;
        }
    }

    /// <summary>Sends <paramref name="message"/> (as JSON) to the task; it reads it with <c>TaskContext.ReceiveAsync</c>.
    /// A task not started yet gets it when it starts.</summary>
    /// <exception cref="MessageNotDeliveredException">The task has ended.</exception>
    public Task SendAsync<T>(T message, CancellationToken cancellationToken = default)
    {
        if (IsCompleted)
        {
            throw new MessageNotDeliveredException(Id, $"task '{Name}' has ended ({_report.Task.Result.State.ToString().ToLowerInvariant()})");
        }

        return Requests.AnsweredAsync(
            _backend.SendAsync(Id, JsonSerializer.SerializeToUtf8Bytes(message, FuncExecJson.Options), cancellationToken),
            RequestTimeout,
            $"a message to task {Id}",
            cancellationToken);
    }

    /// <summary>
    /// Cancels the task: a queued task ends without running; a running one has its
    /// <c>CancellationToken</c> signalled and is killed (its worker replaced) if it still runs after
    /// <paramref name="grace"/> (default 5 s).
    /// </summary>
    /// <returns>The task's confirmed final state: <c>Cancelled</c>, <c>Killed</c> (it outlived the grace
    /// period), or how it ended if it finished before the request arrived.</returns>
    public async Task<TaskState> CancelAsync(TimeSpan? grace = null, CancellationToken cancellationToken = default)
    {
        if (!IsCompleted)
        {
            await _backend.CancelAsync(Id, grace ?? TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        }

        return (await Completion.WaitAsync(cancellationToken).ConfigureAwait(false)).State;
    }

    /// <summary>Kills the task at once: its worker process is killed and replaced, and the freed core
    /// takes the next queued task.</summary>
    /// <returns>The task's confirmed final state: <c>Killed</c>, or how it ended if it finished before the request arrived.</returns>
    public async Task<TaskState> KillAsync(CancellationToken cancellationToken = default)
    {
        if (!IsCompleted)
        {
            await _backend.KillAsync(Id, cancellationToken).ConfigureAwait(false);
        }

        return (await Completion.WaitAsync(cancellationToken).ConfigureAwait(false)).State;
    }

    /// <summary>Lets <c>await task</c> wait for the task to end.</summary>
    /// <exception cref="TaskFailedException">The task threw, timed out, was cancelled or killed, or its worker died.</exception>
    public TaskAwaiter GetAwaiter() => WaitAsync().GetAwaiter();

    /// <summary>Waits for the task to end successfully.</summary>
    /// <exception cref="TaskFailedException">The task threw, timed out, was cancelled or killed, or its worker died.</exception>
    public async Task WaitAsync(CancellationToken cancellationToken = default)
    {
        var report = await Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (report.State != TaskState.Succeeded)
        {
            throw new TaskFailedException(report);
        }
    }

    internal void OnMessage(ReadOnlySpan<byte> payload)
    {
        JsonElement message;
        try
        {
            using var document = JsonDocument.Parse(payload.ToArray());
            message = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return; // The worker writes valid JSON; a damaged payload is not the user's message.
        }

        _inbox.Writer.TryWrite(message);
    }

    internal void OnProgress(TaskProgressInfo progress)
    {
        Volatile.Write(ref _progress, progress);
        ProgressChanged?.Invoke(this, progress);
    }

    /// <summary>The context of the task's submit span, under which its result's span starts here; default when untraced.</summary>
    internal System.Diagnostics.ActivityContext Trace { get; set; }

    /// <summary>When it was submitted (a <see cref="System.Diagnostics.Stopwatch"/> timestamp), for the client's metrics.</summary>
    internal long SubmittedAt { get; private set; }

    // 1 while the client's pending count holds this task: it leaves that count once, by its report or as lost.
    private int _unreported;

    internal void Complete(TaskReport report)
    {
        if (Trace != default)
        {
            SubmitTracing.Result(Trace, report.Id, Name, report);
        }

        // Counted before anyone awaiting the report can look.
        if (ClientMetrics.TakeOne(ref _unreported))
        {
            ClientMetrics.Reported(report.State, SubmittedAt);
        }

        _inbox.Writer.TryComplete();
        _report.TrySetResult(report);
    }

    internal void Fail(Exception error)
    {
        Abandon();
        _inbox.Writer.TryComplete(error);
        _report.TrySetException(error);
    }

    /// <summary>Counted among the client's submitted tasks, from <paramref name="submittedAt"/>.</summary>
    internal void Submitted(long submittedAt)
    {
        SubmittedAt = submittedAt;
        Volatile.Write(ref _unreported, 1);
    }

    /// <summary>Its report will not reach the client: it leaves the pending count as lost, unless it left already.</summary>
    internal void Abandon()
    {
        if (ClientMetrics.TakeOne(ref _unreported))
        {
            ClientMetrics.Lost(1);
        }
    }
}

/// <summary>A task that returns a <typeparamref name="T"/>: <c>await</c> it for the value, or for a
/// <see cref="TaskFailedException"/> with the remote exception's type, message and stack.</summary>
public sealed class RemoteTask<T> : RemoteTask
{
    internal RemoteTask(IClusterBackend backend, string name)
        : base(backend, name)
    {
    }

    /// <summary>The task's result.</summary>
    /// <exception cref="TaskFailedException">The task threw, timed out, was cancelled or killed, or its worker died.</exception>
    public Task<T> Result => ResultAsync();

    /// <summary>Lets <c>await task</c> give the result.</summary>
    /// <exception cref="TaskFailedException">The task threw, timed out, was cancelled or killed, or its worker died.</exception>
    public new TaskAwaiter<T> GetAwaiter() => Result.GetAwaiter();

    private async Task<T> ResultAsync() => ResultOf<T>(await Completion.ConfigureAwait(false));

    internal static TResult ResultOf<TResult>(TaskReport report)
    {
        if (report.State != TaskState.Succeeded)
        {
            throw new TaskFailedException(report);
        }

        // Read from the bytes the worker wrote, never decoded to text on the way.
        var json = report.ResultUtf8;
        return json.IsEmpty ? default! : JsonSerializer.Deserialize<TResult>(json.Span, FuncExecJson.Options)!;
    }
}
