using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace FuncExec.TaskFiles;

/// <summary>
/// The YAML 1.2 core schema's rules for plain scalars (YAML spec 10.3.2), which JSON's
/// literals also follow, so one set of rules types the values of both formats.
/// </summary>
internal static partial class CoreSchema
{
    /// <summary>What the plain scalar <paramref name="text"/> means.</summary>
    public static TaskFileScalarKind Resolve(string text) => text switch
    {
        "" or "~" or "null" or "Null" or "NULL" => TaskFileScalarKind.Null,
        "true" or "True" or "TRUE" or "false" or "False" or "FALSE" => TaskFileScalarKind.Boolean,
        _ when IntegerPattern().IsMatch(text) => TaskFileScalarKind.Integer,
        _ when FloatPattern().IsMatch(text) => TaskFileScalarKind.Float,
        _ => TaskFileScalarKind.String,
    };

    /// <summary>The value of a boolean scalar.</summary>
    public static bool ToBoolean(string text) => text[0] is 't' or 'T';

    /// <summary>The value of an integer scalar, which may not fit in a <see cref="long"/>.</summary>
    public static BigInteger ToInteger(string text)
    {
        var negative = text.StartsWith('-');
        var digits = text.TrimStart('-', '+');
        BigInteger value;
        if (digits.StartsWith("0x", StringComparison.Ordinal))
        {
            // A leading zero keeps AllowHexSpecifier from reading a high first digit as a sign.
            value = BigInteger.Parse("0" + digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        }
        else if (digits.StartsWith("0o", StringComparison.Ordinal))
        {
            value = BigInteger.Zero;
            foreach (var digit in digits.AsSpan(2))
            {
                value = (value * 8) + (digit - '0');
            }
        }
        else
        {
            value = BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        return negative ? -value : value;
    }

    /// <summary>The value of an integer or float scalar, or NaN/infinity for <c>.nan</c>/<c>.inf</c>.</summary>
    public static double ToDouble(string text, TaskFileScalarKind kind)
    {
        if (kind == TaskFileScalarKind.Integer)
        {
            return (double)ToInteger(text);
        }

        var unsigned = text.TrimStart('-', '+');
        if (unsigned.Equals(".nan", StringComparison.OrdinalIgnoreCase))
        {
            return double.NaN;
        }

        if (unsigned.Equals(".inf", StringComparison.OrdinalIgnoreCase))
        {
            return text.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;
        }

        return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>True if <paramref name="text"/> is already a JSON number and can be copied as is.</summary>
    public static bool IsJsonNumber(string text) => JsonNumberPattern().IsMatch(text);

    [GeneratedRegex(@"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumberPattern();
}
