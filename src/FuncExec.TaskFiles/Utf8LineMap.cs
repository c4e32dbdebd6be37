using System.Text;

namespace FuncExec.TaskFiles;

/// <summary>
/// Turns byte offsets into UTF-8 text into 1-based lines and columns, since
/// <see cref="System.Text.Json.Utf8JsonReader"/> reports only where a token starts in bytes.
/// </summary>
internal sealed class Utf8LineMap
{
    private readonly byte[] _utf8;
    private readonly List<int> _lineStarts = [0];
    private (int Line, int Bytes, int Chars) _last = (-1, 0, 0);

    public Utf8LineMap(byte[] utf8)
    {
        _utf8 = utf8;
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    /// <summary>The line and column of the byte at <paramref name="offset"/>.</summary>
    public (int Line, int Column) Locate(long offset)
    {
        var index = _lineStarts.BinarySearch((int)Math.Min(offset, _utf8.Length));
        var line = index >= 0 ? index : ~index - 1;
        return (line + 1, ColumnOf(line, (int)offset - _lineStarts[line]));
    }

    /// <summary>
    /// The line and column of a byte given by its 0-based line and its 0-based byte position in
    /// that line, as <see cref="System.Text.Json.JsonException"/> reports them.
    /// </summary>
    public (int Line, int Column) Locate(long zeroBasedLine, long bytePositionInLine)
    {
        var line = (int)Math.Clamp(zeroBasedLine, 0, _lineStarts.Count - 1);
        return (line + 1, ColumnOf(line, (int)Math.Max(bytePositionInLine, 0)));
    }

    // Columns count characters, not bytes, so they match what an editor shows. A parser asks in
    // increasing order, so counting goes on from the previous answer when it lies on the same line
    // before this byte: a file written on one line (as serializers do) stays linear, not quadratic.
    private int ColumnOf(int line, int byteInLine)
    {
        var start = _lineStarts[line];
        var length = Math.Min(byteInLine, _utf8.Length - start);
        var (from, chars) = _last.Line == line && _last.Bytes <= length ? (_last.Bytes, _last.Chars) : (0, 0);
        chars += Encoding.UTF8.GetCharCount(_utf8, start + from, length - from);
        _last = (line, length, chars);
        return chars + 1;
    }
}
