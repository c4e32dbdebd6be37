using System.Globalization;

namespace FuncExec.Core.Text;

/// <summary>A count with its noun, for what people read: "1 node", "3 nodes", "0 tasks".</summary>
internal static class Plural
{
    /// <summary>The count and the noun, singular for exactly one.</summary>
    /// <param name="count">How many.</param>
    /// <param name="singular">The noun for one ("node", "core").</param>
    /// <param name="plural">The noun for any other count; by default <paramref name="singular"/> with an "s".</param>
    public static string Of(long count, string singular, string? plural = null)
    {
        ArgumentNullException.ThrowIfNull(singular);
        var noun = count == 1 ? singular : plural ?? singular + "s";
        return count.ToString(CultureInfo.InvariantCulture) + " " + noun;
    }
}
