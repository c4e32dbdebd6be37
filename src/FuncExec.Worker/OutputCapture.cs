using System.Text;

namespace FuncExec.Worker;

/// <summary>
/// Standard output and error of the worker while a task runs: what the task prints is kept
/// (up to <see cref="MaxChars"/>) and returned with its result instead of vanishing into the
/// node's log.
/// </summary>
/// <remarks>
/// Installed once as Console.Out and Console.Error (Console.SetOut wraps and allocates, so not
/// per task); a task that prints nothing costs a length check. A worker runs one task at a time,
/// so one buffer serves; the lock only guards against threads a task leaves behind.
/// </remarks>
internal sealed class OutputCapture : TextWriter
{
    internal const int MaxChars = 64 * 1024;

    private readonly StringBuilder _buffer = new();
    private readonly Lock _lock = new();
    private long _dropped;

    public override Encoding Encoding => Encoding.UTF8;

    public static OutputCapture Install()
    {
        var capture = new OutputCapture();
        var standardError = Console.Error;
        Console.SetOut(capture);
        Console.SetError(capture);

        // A task that ends its process (Environment.Exit) never returns what it printed; hand it to
        // the real standard error on the way out, where the node reads it for "it printed: ...".
        AppDomain.CurrentDomain.ProcessExit += (_, _) => standardError.Write(capture.Take());
        return capture;
    }

    public override void Write(char value)
    {
        lock (_lock)
        {
            if (_buffer.Length < MaxChars)
            {
                _buffer.Append(value);
            }
            else
            {
                _dropped++;
            }
        }
    }

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(ReadOnlySpan<char> buffer)
    {
        lock (_lock)
        {
            var keep = Math.Min(buffer.Length, MaxChars - _buffer.Length);
            _buffer.Append(buffer[..Math.Max(0, keep)]);
            _dropped += buffer.Length - Math.Max(0, keep);
        }
    }

    /// <summary>What was printed since the last call, or an empty string.</summary>
    public string Take()
    {
        lock (_lock)
        {
            if (_buffer.Length == 0)
            {
                return string.Empty;
            }

            if (_dropped > 0)
            {
                _buffer.Append("\n[... ").Append(_dropped).Append(" more characters dropped]");
            }

            var text = _buffer.ToString();
            _buffer.Clear();
            _dropped = 0;
            return text;
        }
    }
}
