namespace FuncExec.Scheduler.Resources;

/// <summary>How long each function took recently, in microseconds: an average that follows change quickly.</summary>
/// <remarks>
/// Bounded whatever clients submit: it remembers the <see cref="MaxFunctions"/> functions whose results
/// came most recently, and no function whose key is longer than <see cref="MaxKeyLength"/>. A function it
/// does not remember is estimated as unknown, which costs only prefetching (see <see cref="PrefetchPolicy"/>).
/// </remarks>
internal sealed class DurationEstimates
{
    public const int MaxFunctions = 1024;

    public const int MaxKeyLength = 512;

    private const double Weight = 0.5;
    private readonly Dictionary<FunctionKey, LinkedListNode<Entry>> _byFunction = new();

    // Least recently recorded first: the one forgotten when a new function comes and the table is full.
    private readonly LinkedList<Entry> _byRecency = new();
    private readonly int _maxFunctions;

    public DurationEstimates(int maxFunctions = MaxFunctions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFunctions, 1);
        _maxFunctions = maxFunctions;
    }

    /// <summary>Functions remembered now.</summary>
    public int Count => _byFunction.Count;

    /// <summary>The estimate for <paramref name="function"/>, or NaN before its first result (or once forgotten).</summary>
    public double Estimate(FunctionKey function) => _byFunction.TryGetValue(function, out var node) ? node.Value.Microseconds : double.NaN;

    public void Record(FunctionKey function, double microseconds)
    {
        if (function.Length > MaxKeyLength)
        {
            return;
        }

        if (_byFunction.TryGetValue(function, out var node))
        {
            node.Value.Microseconds = (Weight * microseconds) + ((1 - Weight) * node.Value.Microseconds);
            // Most results are of the function recorded last (a run of one function's tasks): it is already the newest.
            if (node != _byRecency.Last)
            {
                _byRecency.Remove(node);
                _byRecency.AddLast(node);
            }

            return;
        }

        if (_byFunction.Count >= _maxFunctions && _byRecency.First is { } oldest)
        {
            _byRecency.Remove(oldest);
            _byFunction.Remove(oldest.Value.Function);
        }

        _byFunction[function] = _byRecency.AddLast(new Entry(function) { Microseconds = microseconds });
    }

    private sealed class Entry(FunctionKey function)
    {
        public FunctionKey Function { get; } = function;

        public double Microseconds { get; set; }
    }
}
