using System.Globalization;
using System.Text;

namespace FuncExec.Worker;

/// <summary>Reads a command's output stream to its end, keeping the first <see cref="CommandRunner.MaxCapturedChars"/>
/// characters; what arrived so far can be taken at any time.</summary>
internal sealed class StreamCapture
{
    private readonly Lock _lock = new();
    private readonly StringBuilder _text = new();
    private long _dropped;

    private StreamCapture(StreamReader reader)
    {
        Completion = ReadAsync(reader);
    }

    /// <summary>Completes when the stream reaches its end, that is when every process holding its write end has closed it.</summary>
    public Task Completion { get; }

    /// <summary>Starts reading <paramref name="reader"/>.</summary>
    public static StreamCapture Start(StreamReader reader) => new(reader);

    /// <summary>The text read so far, with a note of how much was dropped over the cap.</summary>
    public string Text()
    {
        lock (_lock)
        {
            return _dropped > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{_text}\n[... {_dropped} more characters dropped]")
                : _text.ToString();
        }
    }

    private async Task ReadAsync(StreamReader reader)
    {
        var buffer = new char[8192];
        int n;
        while ((n = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (_lock)
            {
                var keep = Math.Min(n, CommandRunner.MaxCapturedChars - _text.Length);
                _text.Append(buffer, 0, keep);
                _dropped += n - keep;
            }
        }
    }
}
