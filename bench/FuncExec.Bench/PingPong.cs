using System.Diagnostics;
using System.Net.Sockets;

namespace FuncExec.Bench;

/// <summary>
/// The floor: a round trip of one small message between two .NET processes over a Unix socket.
/// </summary>
internal static class PingPong
{
    public static void Serve(string path)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(path));
        var buffer = new byte[64];
        while (true)
        {
            var n = socket.Receive(buffer);
            if (n == 0)
            {
                return;
            }

            socket.Send(buffer.AsSpan(0, n));
        }
    }

    /// <summary>Round-trip times in microseconds, sorted.</summary>
    public static double[] Measure(int rounds)
    {
        var path = Path.Combine(Path.GetTempPath(), $"funcexec-bench-{Environment.ProcessId}.sock");
        File.Delete(path);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        // ProcessPath is the dotnet host when run with `dotnet FuncExec.Bench.dll`, the apphost otherwise.
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(PingPong).Assembly.Location);
        }

        start.ArgumentList.Add("ping-pong-server");
        start.ArgumentList.Add(path);
        using var child = Process.Start(start) ?? throw new InvalidOperationException("ping-pong server did not start");
        using var peer = listener.Accept();
        var message = new byte[16];
        var times = new double[rounds];
        for (var i = -1000; i < rounds; i++)
        {
            var sent = Stopwatch.GetTimestamp();
            peer.Send(message);
            var got = 0;
            while (got < message.Length)
            {
                got += peer.Receive(message.AsSpan(got));
            }

            if (i >= 0)
            {
                times[i] = Stopwatch.GetElapsedTime(sent).TotalMicroseconds;
            }
        }

        peer.Shutdown(SocketShutdown.Both);
        child.WaitForExit();
        File.Delete(path);
        Array.Sort(times);
        return times;
    }
}
