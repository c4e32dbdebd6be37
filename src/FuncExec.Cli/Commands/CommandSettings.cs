using System.Collections;
using System.CommandLine;
using System.Globalization;

namespace FuncExec.Cli.Commands;

/// <summary>
/// The options of a verb run on the generic host (<c>funcexec scheduler</c>, <c>funcexec node</c>), each with the
/// configuration key it sets under the verb's section (<c>Scheduler:Port</c>). Only options given on the command line
/// are written, as the last configuration layer: they win over <c>funcexec.json</c> and <c>FUNCEXEC_</c> variables,
/// whose settings stand where the command line is silent. A new option is one more line in the verb's table.
/// </summary>
/// <param name="section">The section the keys are under: <c>Scheduler</c> or <c>Node</c>.</param>
internal sealed class CommandSettings(string section) : IEnumerable<Option>
{
    private readonly List<(Option Option, string Key, Func<ParseResult, object?> Read)> _settings = [];

    /// <summary>Maps <paramref name="option"/> to <paramref name="key"/>, its value written as <paramref name="convert"/>
    /// makes it (as it is, when null).</summary>
    public void Add<T>(Option<T> option, string key, Func<T, object?>? convert = null) =>
        _settings.Add((option, key, parse => convert is null ? parse.GetValue(option) : convert(parse.GetValue(option)!)));

    /// <summary>The settings of the options given on the command line, under the section, ready for configuration.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Given(ParseResult parse)
    {
        foreach (var (option, key, read) in _settings)
        {
            if (parse.GetResult(option) is not { Implicit: false })
            {
                continue;
            }

            foreach (var setting in Write($"{section}:{key}", read(parse)))
            {
                yield return setting;
            }
        }
    }

    /// <summary>A value as configuration holds it: invariant text; a list as one key per item.</summary>
    private static IEnumerable<KeyValuePair<string, string?>> Write(string key, object? value)
    {
        switch (value)
        {
            case string or null:
                yield return new(key, (string?)value);
                break;
            case IEnumerable list:
                var i = 0;
                foreach (var item in list)
                {
                    yield return new($"{key}:{i++}", Convert.ToString(item, CultureInfo.InvariantCulture));
                }

                break;
            case TimeSpan span:
                yield return new(key, span.ToString("c", CultureInfo.InvariantCulture));
                break;
            case bool flag:
                yield return new(key, flag ? "true" : "false");
                break;
            default:
                yield return new(key, Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    public IEnumerator<Option> GetEnumerator() => _settings.Select(s => s.Option).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
