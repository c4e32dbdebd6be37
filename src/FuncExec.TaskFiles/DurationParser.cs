using System.Globalization;
using System.Text.RegularExpressions;

namespace FuncExec.TaskFiles;

/// <summary>Reads the duration strings a task file may give as a timeout.</summary>
internal static partial class DurationParser
{
    /// <summary>
    /// Reads <paramref name="text"/> as seconds: a number with an optional unit (<c>500ms</c>,
    /// <c>10s</c>, <c>2.5m</c>, <c>1h</c>; no unit means seconds) or <c>hh:mm:ss</c>.
    /// </summary>
    /// <returns>False if the text has neither form. The seconds may be zero or negative; the
    /// caller says which values it accepts.</returns>
    public static bool TryParseSeconds(string text, out double seconds)
    {
        var match = NumberWithUnit().Match(text);
        if (match.Success)
        {
            var number = double.Parse(match.Groups["number"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
            seconds = number * match.Groups["unit"].Value switch
            {
                "ms" => 0.001,
                "m" => 60,
                "h" => 3600,
                _ => 1,
            };
            return true;
        }

        match = Clock().Match(text);
        if (match.Success)
        {
            seconds = (int.Parse(match.Groups["h"].Value, CultureInfo.InvariantCulture) * 3600.0)
                + (int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture) * 60.0)
                + double.Parse(match.Groups["s"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
            return true;
        }

        seconds = 0;
        return false;
    }

    [GeneratedRegex(@"^\s*(?<number>[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))\s*(?<unit>ms|s|m|h)?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberWithUnit();

    [GeneratedRegex(@"^\s*(?<h>[0-9]{1,6}):(?<m>[0-5]?[0-9]):(?<s>[0-5]?[0-9](?:\.[0-9]+)?)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Clock();
}
