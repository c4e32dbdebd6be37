using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FuncExec.Worker;

/// <summary>
/// A thread that reads the node's socket only while the worker's executing thread cannot: while a task runs. The
/// executing thread reads the socket itself while it is idle, so a task that arrives wakes one thread, the one that
/// runs it, rather than a reader that hands it over (on the worker's one core, a second context switch on every
/// task's path).
/// </summary>
/// <remarks>
/// The thread waits in <c>epoll_wait</c> on a set that holds the socket only between <see cref="Arm"/> and
/// <see cref="Disarm"/>: adding and removing the socket are system calls that wake nobody, so a task that ends before
/// anything arrives for it costs two of them and no wake-up, and a cancel, a message or a take-back that arrives while
/// it runs wakes this thread at once (the set is level-triggered, so bytes that arrived before <see cref="Arm"/> wake
/// it too). Linux only: elsewhere <see cref="TryStart"/> returns null and a reader thread reads all the time.
/// </remarks>
internal sealed partial class SocketWatch
{
    private const int EpollCloexec = 0x80000;
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const uint EpollIn = 0x001;
    private const int Eintr = 4;

    // struct epoll_event is 12 bytes on x86-64 (packed) and 16 on arm64; 16 zeroed bytes with the events first serve both.
    private const int EventSize = 16;

    private readonly int _epoll;
    private readonly int _fd;
    private readonly Action _readable;

    private SocketWatch(int epoll, int fd, Action readable)
    {
        _epoll = epoll;
        _fd = fd;
        _readable = readable;
    }

    /// <summary>Starts the watching thread, which calls <paramref name="readable"/> whenever the socket has something
    /// to read (or has ended) while armed; null where there is no epoll.</summary>
    public static SocketWatch? TryStart(Socket socket, Action readable)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var epoll = EpollCreate1(EpollCloexec);
        if (epoll < 0)
        {
            return null;
        }

        var watch = new SocketWatch(epoll, (int)socket.SafeHandle.DangerousGetHandle(), readable);
        new Thread(watch.WatchLoop) { IsBackground = true, Name = "funcexec-worker-watch" }.Start();
        return watch;
    }

    /// <summary>From now on, bytes arriving on the socket wake the watching thread.</summary>
    public void Arm() => Control(EpollCtlAdd);

    /// <summary>From now on, they do not; a wake-up already under way still calls back, which then finds it disarmed.</summary>
    public void Disarm() => Control(EpollCtlDel);

    private unsafe void Control(int op)
    {
        var ev = stackalloc byte[EventSize];
        new Span<byte>(ev, EventSize).Clear();
        *(uint*)ev = EpollIn;
        if (EpollCtl(_epoll, op, _fd, ev) != 0)
        {
            // ENOMEM or ENOSPC: the kernel refuses to watch; a worker that cannot hear a cancel must not run tasks.
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "epoll_ctl on the node's socket failed");
        }
    }

    private unsafe void WatchLoop()
    {
        var events = stackalloc byte[EventSize];
        while (true)
        {
            var n = EpollWait(_epoll, events, 1, -1);
            if (n > 0)
            {
                _readable();
            }
            else if (n < 0 && Marshal.GetLastPInvokeError() != Eintr)
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError(), "epoll_wait failed");
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static unsafe partial int EpollCtl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static unsafe partial int EpollWait(int epfd, byte* events, int maxEvents, int timeout);
}
