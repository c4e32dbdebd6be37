using System.Diagnostics;
using System.Net.Sockets;

namespace FuncExec.Node.Workers;

/// <summary>
/// A worker process started ahead of need and connected, but given no core of its own: when a
/// worker dies or is killed, the spare takes its place at once instead of a process start.
/// </summary>
internal sealed class SpareWorker
{
    public SpareWorker(Process process)
    {
        Process = process;
    }

    public Process Process { get; }

    public Socket? Socket { get; private set; }

    public Stream? Input { get; private set; }

    public int Pid { get; private set; }

    /// <summary>Where its standard error goes; redirected to the worker it replaces.</summary>
    public Action<string?> OnStderr { get; set; } = static _ => { };

    /// <summary>Where its standard output goes.</summary>
    public Action<string?> OnStdout { get; set; } = static _ => { };

    public bool IsConnected => Socket is not null && !Process.HasExited;

    public void Connected(Socket socket, Stream input, int pid)
    {
        Socket = socket;
        Input = input;
        Pid = pid;
    }

    public void Kill()
    {
        ProcessKill.Quietly(Process);
        Input?.Dispose();
        Process.Dispose();
    }
}
