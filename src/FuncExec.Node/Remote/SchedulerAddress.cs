using System.Globalization;

namespace FuncExec;

/// <summary>Where a scheduler listens: <c>host:port</c>, port 9700 when left out.</summary>
internal sealed record SchedulerAddress(string Host, int Port)
{
    /// <summary>The scheduler's default TCP port (and UDP discovery port).</summary>
    public const int DefaultPort = 9700;

    /// <summary>Parses <c>host</c>, <c>host:port</c> or <c>[v6]:port</c>.</summary>
    /// <exception cref="FormatException">Not an address.</exception>
    public static SchedulerAddress Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        text = text.Trim();
        var colon = text.LastIndexOf(':');
        if (colon < 0 || (text.StartsWith('[') && !text.Contains("]:", StringComparison.Ordinal)))
        {
            return new SchedulerAddress(text.Trim('[', ']'), DefaultPort);
        }

        var host = text[..colon].Trim('[', ']');
        if (host.Length == 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new FormatException($"'{text}' is not a scheduler address; write host:port, e.g. 10.0.0.5:{DefaultPort}");
        }

        return new SchedulerAddress(host, port);
    }

    /// <summary>Parses a comma-separated list of addresses (<c>a:9700,b:9700</c>): an active scheduler and its standbys,
    /// tried in turn. Duplicates are dropped, order is kept.</summary>
    /// <exception cref="FormatException">The list is empty or one entry is not an address (the message names it).</exception>
    public static IReadOnlyList<SchedulerAddress> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var list = new List<SchedulerAddress>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.Length == 0)
            {
                throw new FormatException($"'{text}' has an empty entry; write host:port[,host:port...], e.g. a:{DefaultPort},b:{DefaultPort}");
            }

            var address = Parse(part);
            if (!list.Contains(address))
            {
                list.Add(address);
            }
        }

        return list;
    }

    /// <inheritdoc />
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
