using System.Buffers;

namespace FuncExec.Core.Text;

/// <summary>
/// Quotes words for a POSIX shell on another host, where every remote command and script of
/// <c>funcexec cluster</c> and Slurm pilot jobs run: the only way a name, a path or a secret could change what runs there.
/// </summary>
/// <remarks>
/// A word of only harmless characters stays as it is, for readable commands; anything else goes in
/// single quotes, inside which a POSIX shell gives no character a meaning, with each <c>'</c> written
/// as <c>'\''</c> (close, an escaped quote, reopen). Paths may start with <c>~/</c> for the remote
/// home: single quotes would keep the tilde literal, so <see cref="Path"/> writes it as <c>"$HOME"</c>.
/// </remarks>
internal static class ShellQuote
{
    private static readonly SearchValues<char> Safe =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-./:@%+=,");

    /// <summary>The word as one shell word with the same text.</summary>
    public static string Quote(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length > 0 && !word.AsSpan().ContainsAnyExcept(Safe))
        {
            return word;
        }

        return "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>A path on the remote host as one shell word; a leading <c>~</c> or <c>~/</c> is the remote user's home.</summary>
    public static string Path(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path == "~")
        {
            return "\"$HOME\"";
        }

        return path.StartsWith("~/", StringComparison.Ordinal) ? "\"$HOME\"/" + Quote(path[2..]) : Quote(path);
    }

    /// <summary>The words quoted and joined by spaces: a command line the remote shell splits back into exactly these words.</summary>
    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));
}
