using System.Runtime.InteropServices;

namespace FuncExec.Cli;

/// <summary>
/// Starts the long-running verbs (<c>scheduler</c>, <c>node</c>) and the one that measures (<c>bench</c>, which hosts
/// embedded clusters) with every method compiled fully
/// optimized from its first call, by re-executing this same process once with
/// <c>DOTNET_TieredCompilation=0</c>; and the scheduler with its socket completions run inline
/// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>).
/// </summary>
/// <remarks>
/// <para>
/// Tiered compilation serves short commands (<c>exec</c>, <c>run</c>) well: they start sooner.
/// A server, though, ran its hot paths as unoptimized code, then stalled in bursts of several
/// milliseconds while they were recompiled; measured on the W2 benchmark over scheduler and node
/// processes, p99 latency fell from about 8 ms to 0.5 ms and W1 throughput more than doubled
/// without tiering. <c>bench</c> measures the same paths, so it should not time the JIT's recompilation either.
/// </para>
/// <para>
/// The scheduler serves its connections through Kestrel with inline pipe scheduling, and its frame handlers take
/// the scheduler's lock briefly and never block; so the thread that polls the sockets may run them itself, instead
/// of waking a pool thread for every frame that arrives: one thread wake-up less on each frame from a client or a
/// node, that is two on each task's round trip. Not the node: it reads its scheduler's frames and its workers' on
/// threads of its own, and its start-up waits on sockets in ways the poller thread must not run.
/// </para>
/// <para>
/// The settings must be in place before the runtime starts, hence the
/// <c>execve</c> — which keeps the process id, so service managers and <c>kill</c> see one process. A variable the
/// user set is left as it is.
/// </para>
/// </remarks>
internal static partial class ServerJit
{
    private const string Tiering = "DOTNET_TieredCompilation";
    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void ReexecIfNeeded(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("scheduler" or "node" or "bench") || !OperatingSystem.IsLinux())
        {
            return;
        }

        List<string> wanted = [Tiering];
        if (args[0] == "scheduler")
        {
            wanted.Add(InlineCompletions);
        }

        // Only once, and never against the user's choice: a variable already set (by the user, or by the re-execution) stays.
        var missing = wanted.FindAll(name => Environment.GetEnvironmentVariable(name) is null);
        if (missing.Count == 0)
        {
            return;
        }

        // The host and its arguments as the kernel started us (dotnet funcexec.dll ... or the apphost).
        var argv = File.ReadAllText("/proc/self/cmdline").Split('\0', StringSplitOptions.None);
        var arguments = argv[..^1]; // the file ends with a NUL
        var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => $"{e.Key}={e.Value}")
            .Concat(missing.Select(name => $"{name}={(name == Tiering ? "0" : "1")}"))
            .ToArray();
        _ = Execve("/proc/self/exe", [.. arguments, null], [.. environment, null]);
        // Only reached if execve failed: run as we are.
    }

    [LibraryImport("libc", EntryPoint = "execve", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Execve(string path, string?[] argv, string?[] envp);
}
