namespace FuncExec.Scheduler;

/// <summary>What one call from a peer carried that did not fit the peer's role: how many items, and
/// the first one's reason (enough to log once; the count goes to the scheduler's totals).</summary>
internal sealed class RoleRefusals
{
    private string? _first;

    public int Count { get; private set; }

    public void Add(string reason)
    {
        _first ??= reason;
        Count++;
    }

    /// <summary>The first reason, and how many more there were.</summary>
    public string Describe() => Count == 1 ? _first! : $"{_first} (and {Count - 1} more like it in the same report)";
}
