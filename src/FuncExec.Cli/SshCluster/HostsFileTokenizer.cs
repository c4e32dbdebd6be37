using System.Text;

namespace FuncExec.Cli.SshCluster;

/// <summary>
/// Splits a hosts file line into words the way a shell would, so a line reads like the command
/// line it stands for: blanks separate words, <c>'...'</c> keeps its text as it is, <c>"..."</c>
/// and a backslash outside quotes escape <c>"</c> and <c>\</c>, and a <c>#</c> that starts a word
/// starts a comment.
/// </summary>
internal static class HostsFileTokenizer
{
    /// <summary>The words of <paramref name="line"/>, line <paramref name="lineNumber"/> of <paramref name="path"/>.</summary>
    /// <exception cref="HostsFileException">A quote is not closed.</exception>
    public static IReadOnlyList<HostsFileToken> Split(string line, string path, int lineNumber)
    {
        ArgumentNullException.ThrowIfNull(line);
        var tokens = new List<HostsFileToken>();
        var word = new StringBuilder();
        var start = -1;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (start < 0)
            {
                if (c is ' ' or '\t' or '\r')
                {
                    continue;
                }

                if (c == '#')
                {
                    break;
                }

                start = i;
            }

            switch (c)
            {
                case ' ' or '\t' or '\r':
                    tokens.Add(new HostsFileToken(word.ToString(), start + 1));
                    word.Clear();
                    start = -1;
                    break;
                case '\'':
                    var close = line.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        throw new HostsFileException(path, lineNumber, i + 1, "this quote ' is not closed");
                    }

                    word.Append(line, i + 1, close - i - 1);
                    i = close;
                    break;
                case '"':
                    var open = i;
                    i = ReadDoubleQuoted(line, open, word);
                    if (i < 0)
                    {
                        throw new HostsFileException(path, lineNumber, open + 1, "this quote \" is not closed");
                    }

                    break;
                case '\\' when i + 1 < line.Length:
                    word.Append(line[++i]);
                    break;
                default:
                    word.Append(c);
                    break;
            }
        }

        if (start >= 0)
        {
            tokens.Add(new HostsFileToken(word.ToString(), start + 1));
        }

        return tokens;
    }

    // Returns the index of the closing quote, or -1 when there is none.
    private static int ReadDoubleQuoted(string line, int open, StringBuilder word)
    {
        for (var i = open + 1; i < line.Length; i++)
        {
            switch (line[i])
            {
                case '"':
                    return i;
                case '\\' when i + 1 < line.Length && line[i + 1] is '"' or '\\':
                    word.Append(line[++i]);
                    break;
                default:
                    word.Append(line[i]);
                    break;
            }
        }

        return -1;
    }
}
