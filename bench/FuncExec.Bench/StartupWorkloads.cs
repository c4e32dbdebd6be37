using System.Diagnostics;
using System.Globalization;
using FuncExec.Client;

namespace FuncExec.Bench;

/// <summary>
/// Start-up as a user meets it, each round in a new process: <c>funcexec run</c> of a one-task file from the process's
/// start to its result line, and <c>Cluster.StartLocalAsync()</c> to the first result of a computation's lambda; beside
/// them a .NET process that returns at once (the floor) and Dask's <c>LocalCluster</c> to its first result.
/// </summary>
internal static class StartupWorkloads
{
    /// <summary>The argument that makes this program return at once: the floor's process.</summary>
    public const string NoopArgument = "startup-noop";

    /// <summary>The argument that makes this program time one <c>StartLocalAsync</c> to the first result and print it.</summary>
    public const string LocalOnceArgument = "startup-local-once";

    private const string OneTaskFile = "tasks:\n  - name: max\n    function: System.Math.Max\n    params: [1, 2]\n";

    /// <summary>Milliseconds, sorted, from starting <c>dotnet FuncExec.Bench.dll</c> doing nothing to its exit.</summary>
    public static double[] ProcessFloor(int rounds)
    {
        var times = new double[rounds];
        for (var i = 0; i < rounds; i++)
        {
            var start = Self(NoopArgument);
            var stopwatch = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException("the floor's process did not start");
            process.WaitForExit();
            times[i] = stopwatch.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return times;
    }

    /// <summary>
    /// Milliseconds, sorted, from starting <paramref name="tool"/> (the installed <c>funcexec</c> command) as
    /// <c>funcexec run FILE</c> of one <c>System.Math.Max</c> task, on the embedded cluster with its default worker
    /// count, to its result line on standard output.
    /// </summary>
    public static double[] RunCommand(string tool, int rounds)
    {
        var folder = Directory.CreateTempSubdirectory("funcexec-bench-startup-");
        try
        {
            var file = Path.Combine(folder.FullName, "one.yaml");
            File.WriteAllText(file, OneTaskFile);
            var times = new double[rounds];
            for (var i = 0; i < rounds; i++)
            {
                var start = new ProcessStartInfo(tool)
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                start.ArgumentList.Add("run");
                start.ArgumentList.Add(file);
                var stopwatch = Stopwatch.StartNew();
                using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
                var stderr = process.StandardError.ReadToEndAsync();
                var line = process.StandardOutput.ReadLine();
                times[i] = stopwatch.Elapsed.TotalMilliseconds;
                _ = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                if (line is null || !line.Contains("\"succeeded\"", StringComparison.Ordinal) || process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"funcexec run exited with {process.ExitCode}: {line} {stderr.Result}");
                }
            }

            Array.Sort(times);
            return times;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Milliseconds, sorted, from <c>Cluster.StartLocalAsync()</c> to the first result of a lambda, in a new
    /// process each round (so the client's own JIT counts, as in a user's program).</summary>
    public static double[] StartLocal(int rounds)
    {
        var times = new double[rounds];
        for (var i = 0; i < rounds; i++)
        {
            var start = Self(LocalOnceArgument);
            start.RedirectStandardOutput = true;
            using var process = Process.Start(start) ?? throw new InvalidOperationException("the start-up process did not start");
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0 || !double.TryParse(output.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out times[i]))
            {
                throw new InvalidOperationException($"the start-up process exited with {process.ExitCode}: {output}");
            }
        }

        Array.Sort(times);
        return times;
    }

    /// <summary>One round of <see cref="StartLocal"/>, in the process it started: prints the milliseconds.</summary>
    public static async Task<int> LocalOnceAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        await using var cluster = await Cluster.StartLocalAsync();
        await using var computation = await cluster.ScheduleAsync();
        var result = await computation.RunAsync(() => Jobs.Noop(2));
        var elapsed = stopwatch.Elapsed.TotalMilliseconds;
        if (result != 2)
        {
            return 1;
        }

        Console.WriteLine(elapsed.ToString("F1", CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>
    /// The <c>funcexec</c> command installed the way a user installs it: this repository's CLI packed (from its Release
    /// build) under a version of its own and installed with <c>dotnet tool install --tool-path</c> into a temporary
    /// folder. Null, with the reason on standard error, when that fails.
    /// </summary>
    public static async Task<InstalledTool?> InstallToolAsync()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "FuncExec.slnx")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            Console.Error.WriteLine("startup: no FuncExec.slnx above this program; give --tool PATH of an installed funcexec");
            return null;
        }

        var folder = Directory.CreateTempSubdirectory("funcexec-bench-tool-");
        var version = $"0.0.1-bench.r{Guid.NewGuid():N}"[..22];
        var packages = Path.Combine(folder.FullName, "packages");
        var tools = Path.Combine(folder.FullName, "tools");
        var cli = Path.Combine(root.FullName, "src", "FuncExec.Cli", "FuncExec.Cli.csproj");
        var tool = new InstalledTool(Path.Combine(tools, "funcexec"), folder.FullName, version);
        var stopwatch = Stopwatch.StartNew();
        if (await DotnetAsync(folder.FullName, "pack", cli, "-c", "Release", "--no-build", "-o", packages, $"-p:Version={version}") != 0
            || await DotnetAsync(folder.FullName, "tool", "install", "FuncExec", "--tool-path", tools, "--add-source", packages, "--version", version) != 0)
        {
            tool.Dispose();
            return null;
        }

        var package = Directory.EnumerateFiles(packages, "FuncExec.*.nupkg").Select(p => new FileInfo(p)).FirstOrDefault(f => f.Name == $"FuncExec.{version}.nupkg");
        Console.Error.WriteLine($"startup: packed and installed funcexec {version} in {stopwatch.Elapsed.TotalSeconds:F0} s; the tool package is {package?.Length / 1e6:F1} MB");
        return tool with { PackageBytes = package?.Length ?? 0 };
    }

    private static async Task<int> DotnetAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine($"startup: dotnet {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await stdout}{await stderr}");
        }

        return process.ExitCode;
    }

    private static ProcessStartInfo Self(string argument)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(typeof(StartupWorkloads).Assembly.Location);
        }

        start.ArgumentList.Add(argument);
        return start;
    }
}

/// <summary>A <c>funcexec</c> command the benchmark installed; disposing it removes it, and its package from NuGet's cache.</summary>
internal sealed record InstalledTool(string Command, string Folder, string Version) : IDisposable
{
    public long PackageBytes { get; init; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
            var home = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            var cached = Path.Combine(home, "funcexec", Version);
            if (Directory.Exists(cached))
            {
                Directory.Delete(cached, recursive: true);
            }
        }
        catch (IOException)
        {
            // Left in the temporary folder.
        }
    }
}
