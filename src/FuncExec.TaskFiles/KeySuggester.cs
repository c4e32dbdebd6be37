using FuncExec.Core.Text;

namespace FuncExec.TaskFiles;

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
            var distance = EditDistance.Between(key, candidate);
            if (distance < bestDistance && IsLikelyTypo(key, candidate, distance))
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    // Up to two edits, a third of a long key, or a shared stem of four letters (retry -> retries).
    private static bool IsLikelyTypo(string key, string candidate, int distance) =>
        distance <= Math.Max(2, candidate.Length / 3)
        || (key.Length >= 4 && candidate.StartsWith(key[..4], StringComparison.OrdinalIgnoreCase));
}
