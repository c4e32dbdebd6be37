using System.Globalization;

namespace FuncExec.IntegrationTests.Telemetry;

/// <summary>One scrape of a Prometheus text endpoint, read sample by sample.</summary>
internal sealed class PrometheusText
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    public PrometheusText(string text)
    {
        Text = text;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var close = line.LastIndexOf('}');
            var name = brace >= 0 ? line[..brace] : line[..line.IndexOf(' ', StringComparison.Ordinal)];
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (brace >= 0)
            {
                // Label values here come from fixed sets and names: no escaped quotes or commas inside them.
                foreach (var pair in line[(brace + 1)..close].Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    var equals = pair.IndexOf('=', StringComparison.Ordinal);
                    labels[pair[..equals]] = pair[(equals + 1)..].Trim('"');
                }
            }

            var rest = line[((brace >= 0 ? close : name.Length - 1) + 1)..].Trim().Split(' ');
            _samples.Add((name, labels, double.Parse(rest[0], NumberStyles.Float, CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>The text as served, for failure messages.</summary>
    public string Text { get; }

    /// <summary>The names of the metrics that have samples.</summary>
    public IReadOnlySet<string> Names => _samples.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>The sum of the samples of <paramref name="name"/> whose labels include <paramref name="labels"/>.</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Sum(s => s.Value);

    /// <summary>The distinct values of label <paramref name="key"/> among the samples of <paramref name="name"/>.</summary>
    public IReadOnlySet<string> LabelValues(string name, string key) =>
        _samples.Where(s => s.Name == name && s.Labels.ContainsKey(key)).Select(s => s.Labels[key]).ToHashSet(StringComparer.Ordinal);
}
