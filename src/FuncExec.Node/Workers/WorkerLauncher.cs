using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using FuncExec.Core.Platform;
using FuncExec.Worker;

namespace FuncExec.Node.Workers;

/// <summary>Finds the worker program and starts worker processes.</summary>
/// <remarks>
/// The worker ships beside this assembly as FuncExec.Worker.dll and runs on the same .NET
/// host as this process, found from the runtime directory, so no PATH setup is needed.
/// </remarks>
internal static class WorkerLauncher
{
    public static string WorkerAssembly => Path.Combine(AppContext.BaseDirectory, "FuncExec.Worker.dll");

    /// <summary>Starts worker <paramref name="workerId"/> (-1: a warm spare) pinned to <paramref name="cores"/>, for the node
    /// that runs with <paramref name="node"/>.</summary>
    /// <remarks>The worker inherits this process's environment (so <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set for the node reaches
    /// it) with <see cref="NodeOptions.WorkerEnvironment"/> on top.</remarks>
    public static Process Start(int workerId, IReadOnlyList<int> cores, string socketPath, string componentDirectory, NodeOptions node)
    {
        var assembly = WorkerAssembly;
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException($"the worker program {assembly} is missing; reinstall FuncExec", assembly);
        }

        // `dotnet exec` cannot start the worker without it; the FuncExec.Worker package copies it
        // into the output and publish folders of the app that references it. Said here, at once,
        // rather than as a worker that exits before it connects.
        var runtimeConfig = Path.ChangeExtension(assembly, ".runtimeconfig.json");
        if (!File.Exists(runtimeConfig))
        {
            throw new FileNotFoundException(
                $"the worker's {Path.GetFileName(runtimeConfig)} is missing beside {assembly}; the FuncExec.Worker package puts it in the "
                + "build and publish output of the app that references it: rebuild the app, and copy it along if you move the app's files",
                runtimeConfig);
        }

        var start = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("--node-socket");
        start.ArgumentList.Add(socketPath);
        start.ArgumentList.Add("--worker-id");
        start.ArgumentList.Add(workerId.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--cores");
        start.ArgumentList.Add(CpuAffinity.FormatList(cores));
        start.ArgumentList.Add("--components");
        start.ArgumentList.Add(componentDirectory);
        start.ArgumentList.Add("--node-name");
        start.ArgumentList.Add(node.Name);
        UndoServerJit(start.Environment, Environment.GetEnvironmentVariable(ServerJitVariable));
        foreach (var (name, value) in node.WorkerEnvironment)
        {
            start.Environment[name] = value;
        }

        // The settings below are the worker's own: a command task's process gets back what was here before them.
        CommandEnvironment.Record(start.Environment);

        // The runtime waits for 100 ms without a method called for the first time before it counts calls to recompile
        // the hot ones, and ten times as long in a process that sees one core, as a worker pinned to one does: a second
        // with no new method, which a busy worker rarely has, so FuncExec's task path and a map's items ran unoptimized
        // for as long as the worker lived. The node's WorkerEnvironment may still set it otherwise.
        if (!node.WorkerEnvironment.ContainsKey(SingleCoreTieringDelayVariable))
        {
            start.Environment[SingleCoreTieringDelayVariable] = "1";
        }

        // A worker runs one task at a time on one core: the workstation GC without a background
        // thread keeps its footprint and its interference with the task small.
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_gcConcurrent"] = "0";
        start.Environment["DOTNET_TieredPGO"] = "1";
        // Pinned from birth, not from whenever its Main runs: the runtime's own startup threads
        // stay on the worker's core too.
        return CpuAffinity.WithCurrentThreadPinned(cores, () => Process.Start(start))
            ?? throw new InvalidOperationException("the worker process did not start");
    }

    /// <summary>The runtime's multiplier of its tiering delay in a process that sees one core (10 by default); a worker
    /// starts with 1.</summary>
    internal const string SingleCoreTieringDelayVariable = "DOTNET_TC_DelaySingleProcMultiplier";

    /// <summary>Set by a server process that started itself again with its own JIT settings (<c>funcexec node</c> and
    /// <c>scheduler</c>: tiered compilation off, FuncExec's assemblies left out of ReadyToRun), to what
    /// <c>DOTNET_ReadyToRunExcludeList</c> was before; its workers get what was there before back.</summary>
    internal const string ServerJitVariable = "FUNCEXEC_SERVER_JIT";

    /// <summary>
    /// Takes out of a worker's <paramref name="environment"/> the JIT settings a server set for itself
    /// (<paramref name="serverJit"/>: the value of <see cref="ServerJitVariable"/>, null when none was set).
    /// </summary>
    /// <remarks>
    /// A server compiles its hot paths fully optimized from their first call, which suits a process that runs for days.
    /// A worker inheriting that compiled FuncExec's task path at its first task: a spare taking a killed worker's place
    /// did so while the next task waited (kill → the next task's own code, through a node, 25–31 ms against 13 ms with
    /// the runtime's defaults). Without them a worker starts from the ReadyToRun code and recompiles what runs often.
    /// What the node is told to give its workers (<see cref="NodeOptions.WorkerEnvironment"/>) still applies after.
    /// </remarks>
    internal static void UndoServerJit(IDictionary<string, string?> environment, string? serverJit)
    {
        if (serverJit is null)
        {
            return;
        }

        environment.Remove(ServerJitVariable);
        // The server set tiered compilation only where nothing had set it before.
        environment.Remove("DOTNET_TieredCompilation");
        if (serverJit.Length == 0)
        {
            environment.Remove("DOTNET_ReadyToRunExcludeList");
        }
        else
        {
            environment["DOTNET_ReadyToRunExcludeList"] = serverJit;
        }
    }

    /// <summary>Starts a worker with its standard output and error relayed line by line.</summary>
    public static Process StartRelayed(
        int workerId, IReadOnlyList<int> cores, string socketPath, string componentDirectory, NodeOptions node, Action<string?> onStdout, Action<string?> onStderr)
    {
        var process = Start(workerId, cores, socketPath, componentDirectory, node);
        process.ErrorDataReceived += (_, e) => onStderr(e.Data);
        process.OutputDataReceived += (_, e) => onStdout(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        process.StandardInput.Close();
        return process;
    }

    private static string DotnetHost()
    {
        // .../dotnet/shared/Microsoft.NETCore.App/<version>/ -> .../dotnet/dotnet
        var runtime = RuntimeEnvironment.GetRuntimeDirectory();
        var root = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        var host = Path.Combine(root, "dotnet");
        if (File.Exists(host))
        {
            return host;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } fromSdk ? fromSdk : "dotnet";
    }
}
