using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace FuncExec.Core.Functions.Internal;

/// <summary>Resolved methods by key (full name and argument shapes), looked up by a span so a hit allocates nothing.</summary>
internal sealed class ResolutionCache
{
    private readonly ConcurrentDictionary<string, BoundMethod> _methods;
    private readonly ConcurrentDictionary<string, BoundMethod>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public ResolutionCache()
    {
        _methods = new ConcurrentDictionary<string, BoundMethod>(StringComparer.Ordinal);
        _bySpan = _methods.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _methods.Count;

    public bool TryGet(ReadOnlySpan<char> key, [MaybeNullWhen(false)] out BoundMethod method) => _bySpan.TryGetValue(key, out method);

    /// <summary>Adds the method, or returns the one another thread added first for the same key.</summary>
    public BoundMethod GetOrAdd(ReadOnlySpan<char> key, BoundMethod method) =>
        _bySpan.TryAdd(key, method) || !_bySpan.TryGetValue(key, out var existing) ? method : existing;
}
