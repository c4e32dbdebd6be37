using System.Diagnostics;

namespace FuncExec.IntegrationTests.Network;

/// <summary>
/// A program running inside a lab host, started as <c>ip netns exec NS program args...</c>, with its
/// stdout and stderr captured line by line as it runs.
/// </summary>
/// <remarks>
/// <c>ip netns exec</c> enters the namespace and then execs the program in place, so <see cref="Id"/>
/// is the program's own pid once it runs, and <see cref="Kill"/> hits the program, not a wrapper.
/// </remarks>
public sealed class LabProcess : IDisposable
{
    private readonly Process _process;
    // Guards the captured lines, the waiters and the recorded exit: the stdout and stderr readers and
    // the exit observer run on threads of their own while tests read and wait on theirs.
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly List<(string Text, TaskCompletionSource<string> Found)> _waiters = [];
    private int? _exitCode;
    private bool _disposed;

    private LabProcess(LabHost host, string commandLine, Process process)
    {
        Host = host;
        CommandLine = commandLine;
        _process = process;
    }

    /// <summary>The host the program runs in.</summary>
    public LabHost Host { get; }

    /// <summary>The program and its arguments, for messages.</summary>
    public string CommandLine { get; }

    /// <summary>The program's pid (the same pid <c>ip netns exec</c> started with).</summary>
    public int Id { get; private set; }

    /// <summary>Completes once the program has exited and all its output has been captured.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Everything printed so far on stdout and stderr, one line per line, in arrival order.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
                return string.Join('\n', _lines);
        }
    }

    /// <summary>Whether the program has exited.</summary>
    public bool HasExited
    {
        get
        {
            lock (_gate)
                return _exitCode is not null || _disposed || _process.HasExited;
        }
    }

    /// <summary>The exit code once the program has exited and its output is drained, else null; 128 + n after signal n (137 after <see cref="Kill"/>).</summary>
    public int? ExitCode
    {
        get
        {
            lock (_gate)
                return _exitCode;
        }
    }

    internal static LabProcess Start(LabHost host, string commandLine, ProcessStartInfo startInfo)
    {
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"`{commandLine}` did not start");
        var labProcess = new LabProcess(host, commandLine, process) { Id = process.Id };
        labProcess.Completion = labProcess.CaptureUntilExit();
        return labProcess;
    }

    /// <summary>Waits for a line containing <paramref name="text"/> (lines already printed count) and returns it.</summary>
    /// <exception cref="TimeoutException">No such line within the timeout; the message holds the output so far.</exception>
    /// <exception cref="InvalidOperationException">The program exited without printing such a line.</exception>
    public async Task<string> WaitForOutputAsync(string text, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiter = (text, found);
        lock (_gate)
        {
            if (_lines.Find(line => line.Contains(text, StringComparison.Ordinal)) is { } line)
                return line;
            if (_exitCode is { } exitCode)
                throw ExitedWithout(text, exitCode);
            _waiters.Add(waiter);
        }
        try
        {
            return await found.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No line containing \"{text}\" from `{CommandLine}` in {Host.Name} within {timeout.TotalSeconds:0.###} s. Output so far:\n{Output}");
        }
        finally
        {
            lock (_gate)
                _waiters.Remove(waiter);
        }
    }

    /// <summary>Waits for the program to exit and returns its exit code.</summary>
    /// <exception cref="TimeoutException">Still running after the timeout; the message holds the output so far.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            await Completion.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"`{CommandLine}` in {Host.Name} still running after {timeout.TotalSeconds:0.###} s. Output so far:\n{Output}");
        }
        lock (_gate)
            return _exitCode!.Value;
    }

    /// <summary>Writes <paramref name="line"/> and a newline to the program's standard input, and flushes it.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Sends SIGKILL to the program, as a crash would end it; returns at once (see <see cref="Completion"/>).</summary>
    public void Kill()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
        }
        // Process.Kill is kill(pid, SIGKILL) on Unix, and a no-op once the process has exited.
        _process.Kill();
    }

    /// <summary>SIGKILL to the program and every descendant it still has, for tearing a lab down.</summary>
    internal void KillTree()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
        }
        _process.Kill(entireProcessTree: true);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
        }
        // Until the capture threads are done they still read the pipes and reap the child, and disposing
        // under them would throw on a thread with no one to catch it, ending the test run; if the program
        // survived SIGKILL (the lab then reports it), its handles are left to the finalizer instead.
        if (Completion.IsCompleted)
            _process.Dispose();
    }

    public override string ToString() => $"`{CommandLine}` in {Host.Name} (pid {Id})";

    private void OnLine(string line)
    {
        lock (_gate)
        {
            _lines.Add(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (line.Contains(_waiters[i].Text, StringComparison.Ordinal))
                {
                    _waiters[i].Found.TrySetResult(line);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    // Output is read by two threads of the process's own rather than BeginOutputReadLine, whose reads
    // complete on the thread pool: tests and Dispose block pool threads, and with few cores a starved
    // pool was seen to hold lines back for about a second.
    private Task CaptureUntilExit()
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = ReadLinesOnOwnThread(_process.StandardError, "stderr");
        var stdout = ReadLinesOnOwnThread(_process.StandardOutput, "stdout");
        var observer = new Thread(() =>
        {
            // Both streams at end of file before the exit is recorded, so no line printed before exit
            // can arrive after waiters have been told the program is gone.
            stdout.Join();
            stderr.Join();
            _process.WaitForExit();
            lock (_gate)
            {
                _exitCode = _process.ExitCode;
                foreach (var (text, found) in _waiters)
                    found.TrySetException(ExitedWithout(text, _exitCode.Value));
                _waiters.Clear();
            }
            completion.SetResult();
        })
        { IsBackground = true, Name = $"lab {Id} exit" };
        observer.Start();
        return completion.Task;
    }

    private Thread ReadLinesOnOwnThread(StreamReader reader, string stream)
    {
        var thread = new Thread(() =>
        {
            while (reader.ReadLine() is { } line)
                OnLine(line);
        })
        { IsBackground = true, Name = $"lab {Id} {stream}" };
        thread.Start();
        return thread;
    }

    // Called under _gate.
    private InvalidOperationException ExitedWithout(string text, int exitCode) =>
        new($"`{CommandLine}` in {Host.Name} exited with code {exitCode} without printing a line containing \"{text}\". Output:\n{string.Join('\n', _lines)}");
}
