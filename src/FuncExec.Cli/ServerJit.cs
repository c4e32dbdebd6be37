using System.Runtime.InteropServices;

namespace FuncExec.Cli;

/// <summary>
/// Starts the long-running verbs (<c>scheduler</c>, <c>node</c>) and the one that measures (<c>bench</c>, which hosts
/// embedded clusters) with every method compiled fully
/// optimized from its first call, by re-executing this same process once with
/// <c>DOTNET_TieredCompilation=0</c>.
/// </summary>
/// <remarks>
/// Tiered compilation serves short commands (<c>exec</c>, <c>run</c>) well: they start sooner.
/// A server, though, ran its hot paths as unoptimized code, then stalled in bursts of several
/// milliseconds while they were recompiled; measured on the W2 benchmark over scheduler and node
/// processes, p99 latency fell from about 8 ms to 0.5 ms and W1 throughput more than doubled
/// without tiering. <c>bench</c> measures the same paths, so it should not time the JIT's recompilation either. The setting must be in place before the runtime starts, hence the
/// <c>execve</c> — which keeps the process id, so service managers and <c>kill</c> see one process.
/// </remarks>
internal static partial class ServerJit
{
    private const string Variable = "DOTNET_TieredCompilation";
    private const string ExcludeVariable = "DOTNET_ReadyToRunExcludeList";

    public static void ReexecIfNeeded(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("scheduler" or "node" or "bench") || Environment.GetEnvironmentVariable(Variable) is not null
            || !OperatingSystem.IsLinux())
        {
            return;
        }

        // The host and its arguments as the kernel started us (dotnet funcexec.dll ... or the apphost).
        var argv = File.ReadAllText("/proc/self/cmdline").Split('\0', StringSplitOptions.None);
        var arguments = argv[..^1]; // the file ends with a NUL
        var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Where(e => (string)e.Key is not (ExcludeVariable or FuncExec.Node.Workers.WorkerLauncher.ServerJitVariable))
            .Select(e => $"{e.Key}={e.Value}")
            .Append($"{Variable}=0")
            .Append($"{ExcludeVariable}={ReadyToRunExcludeList(Environment.GetEnvironmentVariable(ExcludeVariable))}")
            // What was there before, for the node to give its workers back (WorkerLauncher.UndoServerJit).
            .Append($"{FuncExec.Node.Workers.WorkerLauncher.ServerJitVariable}={Environment.GetEnvironmentVariable(ExcludeVariable)}")
            .ToArray();
        _ = Execve("/proc/self/exe", [.. arguments, null], [.. environment, null]);
        // Only reached if execve failed: run as we are, tiered.
    }

    /// <summary>
    /// The value of <c>DOTNET_ReadyToRunExcludeList</c> for a server: FuncExec's own assemblies beside this one (the
    /// command and every <c>FuncExec.*</c> library, compiled ReadyToRun on Linux x64) added to what
    /// <paramref name="existing"/> already names. Without tiered compilation the runtime never replaces ReadyToRun code,
    /// so a server would run FuncExec's hot paths as that code (no profile-guided optimization, no inlining across
    /// assemblies) for its lifetime; W2 through scheduler and node processes was about 1.2× slower so. Listed, they
    /// are JIT-compiled fully optimized as before; the framework keeps its own. The node's workers do not keep either
    /// setting: they start from ReadyToRun code with tiered compilation, as any program (WorkerLauncher.UndoServerJit).
    /// </summary>
    internal static string ReadyToRunExcludeList(string? existing)
    {
        var names = Directory.EnumerateFiles(AppContext.BaseDirectory, "FuncExec.*.dll")
            .Select(Path.GetFileNameWithoutExtension)
            .Append(typeof(ServerJit).Assembly.GetName().Name)
            .OfType<string>();
        // The runtime splits the list at semicolons only.
        var listed = (existing ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(';', listed.Concat(names).Distinct(StringComparer.OrdinalIgnoreCase));
    }

    [LibraryImport("libc", EntryPoint = "execve", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Execve(string path, string?[] argv, string?[] envp);
}
