using System.Diagnostics;

namespace FuncExec.IntegrationTests.Network;

/// <summary>Runs iproute2's <c>ip</c> and turns every failure into an exception that names the command.</summary>
internal static class Ip
{
    // ip itself never blocks for long; a hang means a wedged kernel or netlink, and a test should
    // fail saying so rather than sit until the runner's own timeout.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs <c>ip args</c> and returns its stdout; throws with the command and stderr on a non-zero exit.</summary>
    public static string Run(params string[] args)
    {
        var startInfo = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            startInfo.ArgumentList.Add(arg);

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"`{Format(args)}` did not start");
        // Both pipes are drained at once, since reading one to the end while ip fills the other would
        // deadlock, and on threads of their own: labs are built from synchronous code on thread-pool
        // threads, and with few cores a read completing on a starved pool was seen to add ~1 s per call.
        var output = ReadToEndOnOwnThread(process.StandardOutput);
        var error = ReadToEndOnOwnThread(process.StandardError);
        if (!process.WaitForExit(Timeout))
        {
            process.Kill();
            throw new InvalidOperationException($"`{Format(args)}` did not finish within {Timeout.TotalSeconds:0} s");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"`{Format(args)}` exited with code {process.ExitCode}: {error().Trim()}");
        return output();
    }

    /// <summary>The names of all named network namespaces (<c>ip netns list</c>).</summary>
    public static IReadOnlyList<string> ListNamespaces() =>
        Run("netns", "list")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            // A line is "name" or "name (id: 3)" once the kernel has assigned the namespace an id.
            .Select(line => line.Split(' ', 2)[0])
            .ToArray();

    /// <summary>The pids of every process inside a namespace (<c>ip netns pids</c>).</summary>
    public static IReadOnlyList<int> NamespacePids(string netns) =>
        Run("netns", "pids", netns)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pid => int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture))
            .ToArray();

    private static string Format(string[] args) => "ip " + string.Join(' ', args);

    private static Func<string> ReadToEndOnOwnThread(StreamReader reader)
    {
        string? text = null;
        var thread = new Thread(() =>
        {
            try
            {
                text = reader.ReadToEnd();
            }
            catch (Exception e) when (e is ObjectDisposedException or IOException)
            {
                // Only after a timeout: Run has thrown and disposed the process under this read.
            }
        })
        { IsBackground = true, Name = "ip output" };
        thread.Start();
        return () =>
        {
            thread.Join();
            return text ?? "";
        };
    }

    /// <summary>Whether process <paramref name="pid"/> is a node (funcexec.dll) or one of its workers
    /// (FuncExec.Worker.dll); false for a process gone, or a zombie, whose command line is empty.</summary>
    public static bool RunsFuncexec(int pid)
    {
        try
        {
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline");
            return commandLine.Contains("funcexec.dll", StringComparison.Ordinal) || commandLine.Contains("FuncExec.Worker.dll", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }
}
