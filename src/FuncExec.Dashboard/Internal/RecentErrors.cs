using FuncExec.Core.Tasks;
using FuncExec.Dashboard.Api;

namespace FuncExec.Dashboard.Internal;

/// <summary>
/// The whole errors (type, message, stack and causes) of the latest tasks that did not succeed, for the page's
/// detail view: at most <see cref="Kept"/> of them and <see cref="MaxChars"/> characters of text in all, the
/// oldest dropped first.
/// </summary>
/// <remarks>
/// Not thread-safe: <see cref="ClusterHistory"/> calls it under its lock. An error is cut to
/// <see cref="RemoteErrorBounds"/> as it is kept (its causes already were where it arrived; its own texts are
/// cut here too), so one error holds at most about 700 K characters and the budget always has room for the newest.
/// </remarks>
internal sealed class RecentErrors(int kept = RecentErrors.DefaultKept, long maxChars = RecentErrors.DefaultMaxChars)
{
    /// <summary>Errors kept by default: as many as the finished tasks a pushed view shows.</summary>
    public const int DefaultKept = 200;

    /// <summary>Characters of error text kept by default, about 8 MB.</summary>
    public const long DefaultMaxChars = 4_000_000;

    /// <summary>The longest type or message a task row carries; the detail view has the whole text.</summary>
    public const int SummaryLength = 200;

    private readonly Queue<KeptError> _order = new();
    private readonly Dictionary<long, KeptError> _byTask = [];

    /// <summary>How many errors are kept at most.</summary>
    public int Kept { get; } = Math.Max(1, kept);

    /// <summary>How many characters of text the kept errors hold at most.</summary>
    public long MaxChars { get; } = maxChars;

    /// <summary>Characters of text the kept errors hold now.</summary>
    public long Chars { get; private set; }

    /// <summary>How many errors are kept now.</summary>
    public int Count => _byTask.Count;

    /// <summary>Keeps <paramref name="error"/> as the error of task <paramref name="taskId"/>, dropping the oldest beyond the bounds.</summary>
    public void Add(long taskId, string name, TaskState state, RemoteError error)
    {
        var bounded = RemoteErrorBounds.BoundAll(error);
        var entry = new KeptError(taskId, name, state, bounded, Size(bounded));
        if (_byTask.Remove(taskId, out var replaced))
        {
            Chars -= replaced.Size;
        }

        _byTask[taskId] = entry;
        _order.Enqueue(entry);
        Chars += entry.Size;
        while (_order.Count > Kept || Chars > MaxChars)
        {
            var oldest = _order.Dequeue();
            // A replaced entry left its old place in the queue behind; only the one the map holds counts.
            if (_byTask.TryGetValue(oldest.TaskId, out var current) && ReferenceEquals(current, oldest))
            {
                _byTask.Remove(oldest.TaskId);
                Chars -= oldest.Size;
            }
        }
    }

    /// <summary>The error kept for task <paramref name="taskId"/>, or null when it had none or it was dropped.</summary>
    public KeptError? Find(long taskId) => _byTask.GetValueOrDefault(taskId);

    /// <summary><paramref name="text"/> cut to <see cref="SummaryLength"/> for a task row.</summary>
    public static string Summary(string text) => RemoteErrorBounds.Truncate(text, SummaryLength);

    /// <summary>The view of a kept error: the same tree, as the API serves it.</summary>
    public static ErrorView View(RemoteError error) =>
        // Kept errors are bounded (at most RemoteErrorBounds.MaxDepth levels), so this recursion is shallow.
        new(error.Type, error.Message, error.StackTrace, [.. error.Inner.Select(View)]);

    /// <summary>Characters of text in <paramref name="error"/> and all its causes.</summary>
    internal static long Size(RemoteError error)
    {
        long size = 0;
        var pending = new Stack<RemoteError>();
        pending.Push(error);
        while (pending.TryPop(out var next))
        {
            size += next.Type.Length + next.Message.Length + (next.StackTrace?.Length ?? 0);
            foreach (var cause in next.Inner)
            {
                pending.Push(cause);
            }
        }

        return size;
    }

    /// <summary>A kept error, with the task it ended and the characters it holds.</summary>
    internal sealed record KeptError(long TaskId, string Name, TaskState State, RemoteError Error, long Size);
}
