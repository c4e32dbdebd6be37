namespace FuncExec;

/// <summary>
/// The limits of a <see cref="RemoteError"/>'s cause chain (<see cref="RemoteError.Inner"/>), and the walk that keeps
/// a chain within them.
/// </summary>
/// <remarks>
/// A worker cuts the chain it reports to these limits; the scheduler and the client cut it again when it arrives,
/// because a node is a peer and its word is not trusted. The walk is breadth first, so an
/// <see cref="AggregateException"/>'s every direct cause is kept before any one of them gets its own causes.
/// The exception at the top of the chain keeps its texts whole, as before causes travelled.
/// </remarks>
internal static class RemoteErrorBounds
{
    /// <summary>How many levels of causes travel below the exception itself.</summary>
    public const int MaxDepth = 8;

    /// <summary>How many causes travel in all, at every level together.</summary>
    public const int MaxInner = 16;

    /// <summary>The longest type name a cause keeps, in characters.</summary>
    public const int MaxTypeLength = 1024;

    /// <summary>The longest message a cause keeps, in characters.</summary>
    public const int MaxMessageLength = 8 * 1024;

    /// <summary>The longest stack trace a cause keeps, in characters.</summary>
    public const int MaxStackLength = 32 * 1024;

    /// <summary>The causes of <paramref name="exception"/>: all of an aggregate's, else its one inner exception, else none.</summary>
    public static IReadOnlyList<Exception> CausesOf(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            AggregateException aggregate => aggregate.InnerExceptions,
            { InnerException: { } inner } => [inner],
            _ => [],
        };
    }

    /// <summary>
    /// Walks the causes below a root breadth first within the limits: <paramref name="causesOf"/> lists a node's causes,
    /// <paramref name="make"/> turns one into its bounded entry and <paramref name="attach"/> gives a parent its entries.
    /// </summary>
    /// <typeparam name="TSource">What the chain is read from (an exception, a wire or JSON error).</typeparam>
    /// <typeparam name="TEntry">What it is made into.</typeparam>
    public static void Walk<TSource, TEntry>(
        TSource root,
        TEntry rootEntry,
        Func<TSource, IEnumerable<TSource>> causesOf,
        Func<TSource, TEntry> make,
        Action<TEntry, IReadOnlyList<TEntry>> attach)
    {
        ArgumentNullException.ThrowIfNull(causesOf);
        ArgumentNullException.ThrowIfNull(make);
        ArgumentNullException.ThrowIfNull(attach);

        // A queue, not recursion: a hostile chain's depth never reaches this thread's stack.
        var pending = new Queue<(TSource Source, TEntry Entry, int Depth)>();
        pending.Enqueue((root, rootEntry, 0));
        var budget = MaxInner;
        while (pending.TryDequeue(out var item))
        {
            if (item.Depth >= MaxDepth || budget == 0)
            {
                continue;
            }

            var entries = new List<TEntry>();
            foreach (var cause in causesOf(item.Source))
            {
                if (budget == 0)
                {
                    // The rest of a 100,000-wide list is never looked at.
                    break;
                }

                budget--;
                var entry = make(cause);
                entries.Add(entry);
                pending.Enqueue((cause, entry, item.Depth + 1));
            }

            if (entries.Count > 0)
            {
                attach(item.Entry, entries);
            }
        }
    }

    /// <summary>
    /// The causes below <paramref name="root"/> within the limits, as the model's errors: <paramref name="causesOf"/>
    /// lists a node's causes and <paramref name="make"/> turns one into its entry (without its own causes).
    /// </summary>
    /// <typeparam name="TSource">What the chain is read from (an exception, a wire or JSON error).</typeparam>
    public static IReadOnlyList<RemoteError> Causes<TSource>(TSource root, Func<TSource, IEnumerable<TSource>> causesOf, Func<TSource, RemoteError> make)
    {
        ArgumentNullException.ThrowIfNull(make);
        var top = new Holder(null);
        Walk(root, top, causesOf, cause => new Holder(make(cause)), static (parent, entries) => parent.Inner = entries);
        return top.Build();
    }

    /// <summary>The causes of <paramref name="exception"/> within the limits, as the model's errors.</summary>
    public static IReadOnlyList<RemoteError> FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Causes(exception, CausesOf, Cause);
    }

    /// <summary><paramref name="error"/> with its chain cut to the limits (itself when it has no causes).</summary>
    public static RemoteError Bound(RemoteError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Inner.Count == 0
            ? error
            : error with { Inner = Causes(error, static e => e.Inner, static e => Cause(e.Type, e.Message, e.StackTrace)) };
    }

    /// <summary>
    /// <paramref name="error"/> with its chain and its own texts cut to the limits: for what keeps many errors (the
    /// dashboard, a profile), where the top's texts weigh as much as its causes'.
    /// </summary>
    public static RemoteError BoundAll(RemoteError error) => Bound(error) with
    {
        Type = Truncate(error.Type, MaxTypeLength),
        Message = Truncate(error.Message, MaxMessageLength),
        StackTrace = error.StackTrace is { } stack ? Truncate(stack, MaxStackLength) : null,
    };

    /// <summary>A cause's entry with its texts cut to the limits.</summary>
    public static RemoteError Cause(string? type, string? message, string? stackTrace) => new(
        Truncate(type ?? string.Empty, MaxTypeLength),
        Truncate(message ?? string.Empty, MaxMessageLength),
        string.IsNullOrEmpty(stackTrace) ? null : Truncate(stackTrace, MaxStackLength),
        Retryable: false);

    /// <summary><paramref name="text"/> cut to <paramref name="length"/> characters, marked with an ellipsis when cut.</summary>
    public static string Truncate(string text, int length)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length <= length ? text : string.Concat(text.AsSpan(0, length - 1), "…");
    }

    private static RemoteError Cause(Exception exception) =>
        Cause(exception.GetType().FullName ?? exception.GetType().Name, exception.Message, exception.StackTrace);

    /// <summary>An entry under construction: records are immutable, so the tree is built bottom up at the end.</summary>
    private sealed class Holder(RemoteError? error)
    {
        public IReadOnlyList<Holder> Inner { get; set; } = [];

        public RemoteError[] Build()
        {
            // Depth is at most MaxDepth here, so this recursion is shallow.
            var built = new RemoteError[Inner.Count];
            for (var i = 0; i < built.Length; i++)
            {
                var child = Inner[i];
                var made = child.Error!;
                built[i] = child.Inner.Count == 0 ? made : made with { Inner = child.Build() };
            }

            return built;
        }

        public RemoteError? Error => error;
    }
}
