using System.Globalization;

namespace FuncExec.Reporting;

/// <summary>The values one axis of a benchmark matrix takes (clients or workers), as written on the command line.</summary>
/// <remarks>
/// An axis is a comma-separated list of items, each a whole number (<c>3</c>) or an inclusive ascending range
/// (<c>1..4</c>): <c>1..4</c>, <c>2</c>, <c>1,2,4</c>, <c>1..2,8</c>. Every value is at least 1 and at most
/// <see cref="MaxValue"/>; the values come back in ascending order, each once.
/// </remarks>
internal static class BenchAxis
{
    /// <summary>The largest value an axis may hold.</summary>
    public const int MaxValue = 1024;

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <returns>The values, ascending, without repeats.</returns>
    /// <exception cref="FormatException">The text is not a list of counts and ranges; the message says what is wrong.</exception>
    public static IReadOnlyList<int> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new FormatException("expected a count (4), a range (1..4) or a list (1,2,4), not nothing");
        }

        var values = new SortedSet<int>();
        foreach (var raw in text.Split(','))
        {
            var item = raw.Trim();
            var dots = item.IndexOf("..", StringComparison.Ordinal);
            if (dots < 0)
            {
                values.Add(Count(item, text));
                continue;
            }

            var first = Count(item[..dots], text);
            var last = Count(item[(dots + 2)..], text);
            if (last < first)
            {
                throw new FormatException($"'{item}' runs backwards; write it low to high: {last}..{first}");
            }

            for (var value = first; value <= last; value++)
            {
                values.Add(value);
            }
        }

        return [.. values];
    }

    private static int Count(string item, string text)
    {
        var trimmed = item.Trim();
        if (!int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException(trimmed.Length == 0
                ? $"'{text}' has an empty item; expected a count (4), a range (1..4) or a list (1,2,4)"
                : $"'{trimmed}' is not a whole number; expected a count (4), a range (1..4) or a list (1,2,4)");
        }

        return value switch
        {
            < 1 => throw new FormatException($"'{text}' holds {value}; counts start at 1"),
            > MaxValue => throw new FormatException($"'{text}' holds {value}; at most {MaxValue} is allowed"),
            _ => value,
        };
    }
}
