using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace FuncExec.TaskFiles;

/// <content>Reads and checks the value of each task key.</content>
internal sealed partial class TaskFileValidator
{
    private const string TimeoutForms = "a number of seconds like 2.5, or a duration like '500ms', '10s', '2m', '1h' or '01:30:00'";

    // Past about 24.8 days (int.MaxValue milliseconds) timers and CancelAfter reject a delay.
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(24);

    private static string Describe(TaskFileNode node) =>
        node is TaskFileScalar { IsQuoted: true } scalar && CoreSchema.Resolve(scalar.Text) != TaskFileScalarKind.String
            ? $"{scalar.Describe()}; remove the quotes"
            : node.Describe();

    private static int? ReadOptional(TaskFileMapping mapping, string key, Func<TaskFileNode, int> read) =>
        mapping.Get(key) is { } node ? read(node) : null;

    private int ReadCores(TaskFileNode node) => ReadInteger(node, "cores", 1, int.MaxValue, "an integer >= 1");

    private int ReadPriority(TaskFileNode node) => ReadInteger(node, "priority", int.MinValue, int.MaxValue, "an integer");

    private int ReadRetries(TaskFileNode node) => ReadInteger(node, "retries", 0, int.MaxValue, "an integer >= 0");

    private int ReadInteger(TaskFileNode node, string key, int min, int max, string requirement)
    {
        if (node is not TaskFileScalar { Kind: TaskFileScalarKind.Integer } scalar)
        {
            throw Error(node, $"'{key}' must be {requirement}, got {Describe(node)}");
        }

        var value = CoreSchema.ToInteger(scalar.Text);
        if (value < min || value > max)
        {
            var range = value > int.MaxValue || value < int.MinValue
                ? $"{requirement} no larger than {int.MaxValue.ToString(CultureInfo.InvariantCulture)}"
                : requirement;
            throw Error(node, $"'{key}' must be {range}, got {Describe(node)}");
        }

        return (int)value;
    }

    // Any scalar but null is accepted, so that 'name: 7' or 'command: true' (the Unix
    // utility) read as the text they show.
    private string ReadText(TaskFileNode node, string key, string requirement)
    {
        if (node is not TaskFileScalar scalar || (scalar.Kind == TaskFileScalarKind.Null && !scalar.IsQuoted))
        {
            throw Error(node, $"'{key}' must be {requirement}, got {Describe(node)}");
        }

        if (string.IsNullOrWhiteSpace(scalar.Text))
        {
            throw Error(node, $"'{key}' must be {requirement}, got an empty string");
        }

        return scalar.Text;
    }

    private string ReadFunctionName(TaskFileNode node)
    {
        if (node is TaskFileScalar call && call.Text.Contains('(', StringComparison.Ordinal))
        {
            throw Error(node, $"'function' must be a method's name, not a call; pass the arguments in 'params', got {Describe(node)}");
        }

        if (node is not TaskFileScalar { Kind: TaskFileScalarKind.String } scalar
            || scalar.Text.Any(char.IsWhiteSpace)
            || scalar.Text.Split('.') is not { Length: >= 2 } parts
            || parts.Any(p => p.Length == 0))
        {
            throw Error(node, $"'function' must be the full name of a static method, like 'System.Math.Max', got {Describe(node)}");
        }

        return scalar.Text;
    }

    private string ReadAssembly(TaskFileNode node)
    {
        var path = ReadText(node, "assembly", "the path of a .dll");

        // Relative to the task file, not to wherever the reader happens to run.
        return Path.GetFullPath(Path.Combine(_directory, path));
    }

    private TimeSpan? ReadTimeout(TaskFileNode node)
    {
        double seconds;
        switch (node)
        {
            case TaskFileScalar { Kind: TaskFileScalarKind.Null, IsQuoted: false }:
                // An explicit null clears a timeout set under 'defaults:'.
                return null;

            case TaskFileScalar { Kind: TaskFileScalarKind.Integer or TaskFileScalarKind.Float } number:
                seconds = CoreSchema.ToDouble(number.Text, number.Kind);
                break;

            case TaskFileScalar { Kind: TaskFileScalarKind.String } text when DurationParser.TryParseSeconds(text.Text, out var parsed):
                seconds = parsed;
                break;

            default:
                throw Error(node, $"'timeout' must be {TimeoutForms}, got {Describe(node)}");
        }

        if (double.IsNaN(seconds))
        {
            throw Error(node, $"'timeout' must be {TimeoutForms}, got {Describe(node)}");
        }

        if (seconds <= 0)
        {
            throw Error(node, $"'timeout' must be greater than 0, got {Describe(node)}; leave it out for no timeout");
        }

        if (seconds > MaxTimeout.TotalSeconds)
        {
            throw Error(node, $"'timeout' must be at most 24 days ('576h'), got {Describe(node)}; leave it out for no timeout");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    private List<JsonElement> ReadParams(TaskFileNode node) => node switch
    {
        // While the whole file is only checked, values are checked without being built.
        TaskFileSequence sequence when _checkOnly => CheckValues(sequence.Items),
        TaskFileSequence sequence => sequence.Items.Select(item => TaskFileJson.ToElement(item, _path)).ToList(),

        // 'params:' with nothing after it passes nothing; 'params: null' passes one null.
        TaskFileScalar { Kind: TaskFileScalarKind.Null, IsQuoted: false, Text: "" } => [],
        TaskFileScalar scalar when _checkOnly => CheckValues([scalar]),
        TaskFileScalar scalar => [TaskFileJson.ToElement(scalar, _path)],
        _ => throw Error(
            node, "'params' must be a list of values, or a single scalar for one parameter; to pass one object, put it in a list: 'params: [{a: 1}]'"),
    };

    private List<JsonElement> CheckValues(IReadOnlyList<TaskFileNode> values)
    {
        foreach (var value in values)
        {
            TaskFileJson.Check(value, _path);
        }

        return [];
    }

    private List<string> ReadArgs(TaskFileNode node)
    {
        switch (node)
        {
            case TaskFileScalar { Kind: TaskFileScalarKind.Null, IsQuoted: false, Text: "" }:
                return [];

            case TaskFileSequence sequence:
                var args = new List<string>(sequence.Items.Count);
                foreach (var item in sequence.Items)
                {
                    if (item is not TaskFileScalar scalar)
                    {
                        throw Error(item, $"each item of 'args' must be a string, number or boolean, not {Describe(item)}");
                    }

                    if (scalar.Kind == TaskFileScalarKind.Null)
                    {
                        throw Error(item, $"an item of 'args' cannot be null ({Describe(item)}); quote it, or write \"\" for an empty argument");
                    }

                    args.Add(scalar.Text);
                }

                return args;

            default:
                throw Error(node, $"'args' must be a list of strings, like 'args: [\"-l\", \"/tmp\"]', got {Describe(node)}");
        }
    }
}
