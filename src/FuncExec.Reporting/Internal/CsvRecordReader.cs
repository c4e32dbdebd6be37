using System.Text;

namespace FuncExec.Reporting.Internal;

/// <summary>Reads RFC 4180 records from text: fields split by commas, a field in double quotes may hold commas,
/// line breaks and doubled quotes. Lines end in <c>\n</c> or <c>\r\n</c>. Tracks the line each record starts on,
/// for error messages.</summary>
internal sealed class CsvRecordReader
{
    private readonly TextReader _reader;
    private readonly string _source;
    private readonly char[] _buffer = new char[1 << 16];
    private readonly StringBuilder _field = new();
    private int _length;
    private int _position;
    private int _line = 1;

    public CsvRecordReader(TextReader reader, string source)
    {
        _reader = reader;
        _source = source;
    }

    /// <summary>The 1-based line the last record read started on.</summary>
    public int RecordLine { get; private set; }

    /// <summary>Whether the last record read ended with a line break (false only for a last line cut short,
    /// or one written without a final newline).</summary>
    public bool RecordTerminated { get; private set; }

    /// <summary>Reads the next record's fields into <paramref name="fields"/>; false at the end of the text.
    /// Blank lines are skipped.</summary>
    public bool TryRead(List<string> fields)
    {
        fields.Clear();
        while (true)
        {
            if (!TryPeek(out var first))
            {
                return false;
            }

            if (first == '\n' || first == '\r')
            {
                SkipLineBreak();
                continue;
            }

            break;
        }

        RecordLine = _line;
        _field.Clear();
        var quoted = false;
        var afterQuote = false;
        while (TryPeek(out var c))
        {
            _position++;
            if (quoted)
            {
                if (c == '"')
                {
                    if (TryPeek(out var next) && next == '"')
                    {
                        _position++;
                        _field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                        afterQuote = true;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        _line++;
                    }

                    _field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case ',':
                    fields.Add(_field.ToString());
                    _field.Clear();
                    afterQuote = false;
                    break;
                case '\r' when TryPeek(out var lf) && lf == '\n':
                    break;
                case '\n':
                    _line++;
                    fields.Add(_field.ToString());
                    RecordTerminated = true;
                    return true;
                case '"' when _field.Length == 0 && !afterQuote:
                    quoted = true;
                    break;
                case '"':
                    throw new ProfileFormatException(_source, _line, "a quote inside an unquoted field; quote the whole field and double the quote (\"\")");
                default:
                    if (afterQuote)
                    {
                        throw new ProfileFormatException(_source, _line, $"'{c}' after a closing quote; a quoted field ends at a comma or the line's end");
                    }

                    _field.Append(c);
                    break;
            }
        }

        if (quoted)
        {
            throw new ProfileFormatException(_source, RecordLine, "a quoted field is not closed before the end of the file");
        }

        fields.Add(_field.ToString());
        RecordTerminated = false;
        return true;
    }

    private bool TryPeek(out char c)
    {
        if (_position == _length)
        {
            _length = _reader.Read(_buffer, 0, _buffer.Length);
            _position = 0;
            if (_length == 0)
            {
                c = default;
                return false;
            }
        }

        c = _buffer[_position];
        return true;
    }

    private void SkipLineBreak()
    {
        if (TryPeek(out var c) && c == '\r')
        {
            _position++;
        }

        if (TryPeek(out c) && c == '\n')
        {
            _position++;
            _line++;
        }
    }
}
