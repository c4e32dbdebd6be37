using FuncExec.Core.Text;

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

            var distance = EditDistance.Between(wrong, name);
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
}
