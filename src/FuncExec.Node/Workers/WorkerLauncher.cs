using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using FuncExec.Core.Platform;

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
        foreach (var (name, value) in node.WorkerEnvironment)
        {
            start.Environment[name] = value;
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
