namespace FuncExec.TaskFiles;

/// <summary>
/// A scalar as written: its text, and whether it was quoted (a YAML quoted or block scalar, a
/// JSON string), which makes it a string whatever its text.
/// </summary>
internal sealed class TaskFileScalar : TaskFileNode
{
    private const int MaxDescribedLength = 60;

    public TaskFileScalar(string text, bool isQuoted, int line, int column)
        : base(line, column)
    {
        Text = text;
        IsQuoted = isQuoted;
        Kind = isQuoted ? TaskFileScalarKind.String : CoreSchema.Resolve(text);
    }

    /// <summary>The text, unescaped; a JSON number, boolean or null keeps its literal text.</summary>
    public string Text { get; }

    /// <summary>True for a quoted or block YAML scalar and for a JSON string.</summary>
    public bool IsQuoted { get; }

    /// <summary>What the scalar means under the core schema.</summary>
    public TaskFileScalarKind Kind { get; }

    /// <inheritdoc />
    public override string Describe()
    {
        if (Kind == TaskFileScalarKind.Null && Text.Length == 0)
        {
            return "nothing";
        }

        var text = Text.Length > MaxDescribedLength ? string.Concat(Text.AsSpan(0, MaxDescribedLength), "...") : Text;
        text = text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        return IsQuoted && Kind == TaskFileScalarKind.String && CoreSchema.Resolve(Text) != TaskFileScalarKind.String
            ? $"the quoted string '{text}'"
            : $"'{text}'";
    }
}
