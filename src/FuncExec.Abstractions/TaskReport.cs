using System.Text;

namespace FuncExec;

/// <summary>What became of a task: its final state, result or error, and where and when it ran.</summary>
public sealed record TaskReport
{
    /// <summary>The id the scheduler gave the task at submission.</summary>
    public required long Id { get; init; }

    /// <summary>The task's name.</summary>
    public required string Name { get; init; }

    /// <summary>The final state.</summary>
    public required TaskState State { get; init; }

    private string? _resultJson;
    // Set when the report was made from bytes (empty bytes are no result): the text is then decoded from them.
    private ReadOnlyMemory<byte> _resultUtf8;

    /// <summary>The return value as JSON text, when the task returned one (commands also on failure).</summary>
    public string? ResultJson
    {
        // A report made from the bytes a worker wrote decodes them when first read: a client reading the result as its
        // type, a session sending it on and the journal keeping it read the bytes, and never need the text.
        get => _resultUtf8.IsEmpty ? _resultJson : _resultJson ??= Encoding.UTF8.GetString(_resultUtf8.Span);
        init
        {
            _resultJson = value;
            _resultUtf8 = default;
        }
    }

    /// <summary>The return value as UTF-8 JSON, shared with whoever gave it (not copied): what <see cref="ResultJson"/>
    /// reads as, or its encoding; empty when there is none.</summary>
    internal ReadOnlyMemory<byte> ResultUtf8
    {
        get => !_resultUtf8.IsEmpty ? _resultUtf8 : _resultJson is { } json ? Encoding.UTF8.GetBytes(json) : default;
        init
        {
            // Empty bytes are no result, as an empty result field on the wire always was.
            _resultJson = null;
            _resultUtf8 = value;
        }
    }

    /// <summary>Why the task did not succeed.</summary>
    public RemoteError? Error { get; init; }

    /// <summary>The worker of the last attempt, as <c>node/worker-N</c>; null if it never ran.</summary>
    public string? Worker { get; init; }

    /// <summary>The cores of the last attempt.</summary>
    public IReadOnlyList<int> Cores { get; init; } = [];

    /// <summary>When the last attempt started, if it did.</summary>
    public DateTimeOffset? Started { get; init; }

    /// <summary>When the last attempt ended.</summary>
    public DateTimeOffset? Finished { get; init; }

    /// <summary>How many attempts ran.</summary>
    public int Attempts { get; init; }

    /// <summary>What the last attempt printed to standard output and error (method and code tasks; commands
    /// return theirs in the result), or null if nothing.</summary>
    public string? Output { get; init; }

    /// <summary>Equal when every property is: the result compared as its text, however each report holds it.</summary>
    public bool Equals(TaskReport? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (Id == other.Id
                && EqualityComparer<string>.Default.Equals(Name, other.Name)
                && State == other.State
                && EqualityComparer<string?>.Default.Equals(ResultJson, other.ResultJson)
                && EqualityComparer<RemoteError?>.Default.Equals(Error, other.Error)
                && EqualityComparer<string?>.Default.Equals(Worker, other.Worker)
                && EqualityComparer<IReadOnlyList<int>>.Default.Equals(Cores, other.Cores)
                && Nullable.Equals(Started, other.Started)
                && Nullable.Equals(Finished, other.Finished)
                && Attempts == other.Attempts
                && EqualityComparer<string?>.Default.Equals(Output, other.Output)));

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Id);
        hash.Add(Name);
        hash.Add(State);
        hash.Add(ResultJson);
        hash.Add(Error);
        hash.Add(Worker);
        hash.Add(Cores);
        hash.Add(Started);
        hash.Add(Finished);
        hash.Add(Attempts);
        hash.Add(Output);
        return hash.ToHashCode();
    }
}
