namespace FuncExec.Core.Functions.Internal;

/// <summary>Finds the names closest to a misspelt one, for "did you mean" hints.</summary>
internal static class NameSuggester
{
    /// <summary>
    /// Up to <paramref name="max"/> names within a small edit distance of <paramref name="wrong"/>,
    /// closest first. Case is ignored, a swap of two neighbours counts as one edit, and a name that
    /// needs more than one edit must at least start with the same letter.
    /// </summary>
    public static IReadOnlyList<string> Suggest(string wrong, IEnumerable<string> names, int max = 3)
    {
        if (wrong.Length == 0)
        {
            return [];
        }

        var threshold = Math.Clamp((wrong.Length + 1) / 2, 1, 3);
        var scored = new List<(string Name, int Distance, bool SameStart)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (name.Length == 0 || Math.Abs(name.Length - wrong.Length) > threshold || !seen.Add(name))
            {
                continue;
            }

            var distance = Distance(wrong, name);
            var sameStart = char.ToUpperInvariant(name[0]) == char.ToUpperInvariant(wrong[0]);
            if (distance <= threshold && (distance <= 1 || sameStart))
            {
                scored.Add((name, distance, sameStart));
            }
        }

        scored.Sort(static (a, b) =>
        {
            var order = a.Distance.CompareTo(b.Distance);
            if (order == 0)
            {
                order = b.SameStart.CompareTo(a.SameStart);
            }

            return order != 0 ? order : string.CompareOrdinal(a.Name, b.Name);
        });

        var result = new string[Math.Min(max, scored.Count)];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = scored[i].Name;
        }

        return result;
    }

    /// <summary>The optimal-string-alignment distance, ignoring case: insertions, deletions, substitutions and swaps of neighbours.</summary>
    public static int Distance(string a, string b)
    {
        var previous2 = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var ai = char.ToUpperInvariant(a[i - 1]);
            for (var j = 1; j <= b.Length; j++)
            {
                var bj = char.ToUpperInvariant(b[j - 1]);
                var cost = ai == bj ? 0 : 1;
                var best = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && ai == char.ToUpperInvariant(b[j - 2]) && char.ToUpperInvariant(a[i - 2]) == bj)
                {
                    best = Math.Min(best, previous2[j - 2] + 1);
                }

                current[j] = best;
            }

            (previous2, previous, current) = (previous, current, previous2);
        }

        return previous[b.Length];
    }
}
