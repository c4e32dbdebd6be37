namespace FuncExec.Core.TaskFiles;

/// <summary>Finds the valid key a misspelt key was probably meant to be.</summary>
internal static class KeySuggester
{
    /// <summary>
    /// The key in <paramref name="validKeys"/> closest to <paramref name="key"/>, or null if
    /// none is close enough to be a likely typo.
    /// </summary>
    public static string? Closest(string key, IReadOnlyList<string> validKeys)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in validKeys)
        {
            var distance = Distance(key.ToLowerInvariant(), candidate);
            if (distance < bestDistance && IsLikelyTypo(key, candidate, distance))
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>
    /// The optimal string alignment distance: insertions, deletions, substitutions and swaps of
    /// adjacent characters, since a swap (<c>fucntion</c>) is the commonest typo of all.
    /// </summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    // Up to two edits, a third of a long key, or a shared stem of four letters (retry -> retries).
    private static bool IsLikelyTypo(string key, string candidate, int distance) =>
        distance <= Math.Max(2, candidate.Length / 3)
        || (key.Length >= 4 && candidate.StartsWith(key[..4], StringComparison.OrdinalIgnoreCase));
}
