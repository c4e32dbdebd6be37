using System.Text.Json;

namespace FuncExec.IntegrationTests;

public sealed class CliTests
{
    [Theory]
    [InlineData("1", "--function", "System.Math.Min", "--params", "1", "2")]
    [InlineData("9", "--function", "System.Linq.Enumerable.Max", "--params", "[3,9,4]")]
    [InlineData("55", "--code", "return Enumerable.Range(1, 10).Sum();")]
    [InlineData("ab", "--function", "System.String.Concat", "--params", "a", "b")]
    public async Task Exec_Function_PrintsResult(string expected, params string[] args)
    {
        var (exitCode, stdout, stderr) = await Funcexec.RunAsync(["exec", .. args]);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal(expected, stdout.Trim());
    }

    [Fact]
    public async Task Exec_UnknownFunction_ExitsNonZeroWithSuggestion()
    {
        var (exitCode, _, stderr) = await Funcexec.RunAsync("exec", "--function", "System.Math.Mxa", "--params", "1", "2");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Max", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ExampleTaskFile_EveryTaskSucceedsInSubmissionOrder()
    {
        var example = Path.Combine(Funcexec.RepositoryRoot(), "examples", "tasks.yaml");

        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("run", example, "--workers", "2");

        Assert.True(exitCode == 0, stderr + stdout);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(["min", "max-of-list", "round", "sum", "primes-below-50000", "affinity-of-a-two-core-task", "uname", "quick-sleep"],
            lines.Select(l => l.GetProperty("name").GetString()));
        Assert.All(lines, l => Assert.Equal("succeeded", l.GetProperty("status").GetString()));
        Assert.Equal("1", lines[0].GetProperty("result").GetRawText());
        Assert.Equal("9", lines[1].GetProperty("result").GetRawText());
        Assert.Equal("55", lines[3].GetProperty("result").GetRawText());
        Assert.Equal(5133, lines[4].GetProperty("result").GetInt32());
        Assert.All(lines, l =>
        {
            Assert.True(l.GetProperty("id").GetInt64() > 0);
            Assert.NotNull(l.GetProperty("worker").GetString());
            Assert.NotNull(l.GetProperty("core").GetString());
            Assert.True(l.GetProperty("started").GetDateTimeOffset() <= l.GetProperty("finished").GetDateTimeOffset());
        });
    }

    [Fact]
    public async Task Run_FailingTask_ExitsNonZeroAndWritesEveryResultToOutputFile()
    {
        var dir = Directory.CreateTempSubdirectory("funcexec-cli-");
        var file = Path.Combine(dir.FullName, "tasks.yaml");
        var output = Path.Combine(dir.FullName, "out.jsonl");
        await File.WriteAllTextAsync(file, """
            - name: good
              function: System.Math.Abs
              params: [-4]
            - name: crash
              code: Environment.Exit(5); return 0;
            - name: also-good
              code: return "done";
            """);

        var (exitCode, stdout, _) = await Funcexec.RunAsync("run", file, "--output", output);

        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, stdout.Trim());
        var lines = (await File.ReadAllLinesAsync(output)).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(["succeeded", "failed", "succeeded"], lines.Select(l => l.GetProperty("status").GetString()));
        Assert.Contains("worker exited with code 5", lines[1].GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("\"done\"", lines[2].GetProperty("result").GetRawText());
        dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Run_MalformedTaskFile_NamesFileAndLine()
    {
        var dir = Directory.CreateTempSubdirectory("funcexec-cli-");
        var file = Path.Combine(dir.FullName, "bad.yaml");
        await File.WriteAllTextAsync(file, "- name: a\n  function: System.Math.Abs\n  cors: 2\n");

        var (exitCode, _, stderr) = await Funcexec.RunAsync("run", file);

        Assert.Equal(2, exitCode);
        Assert.Contains($"{file}:3", stderr, StringComparison.Ordinal);
        Assert.Contains("cores", stderr, StringComparison.Ordinal);
        dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Run_TaskPrintsThenExitsItsProcess_FailureSaysWhatItPrinted()
    {
        var dir = Directory.CreateTempSubdirectory("funcexec-cli-");
        var file = Path.Combine(dir.FullName, "exit.yaml");
        await File.WriteAllTextAsync(file, """
            - name: exit
              code: 'Console.Error.WriteLine("cannot open the input"); Environment.Exit(7); return 0;'
            """);

        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("run", file, "--workers", "1");

        Assert.True(exitCode == 1, stderr);
        var message = JsonDocument.Parse(stdout).RootElement.GetProperty("error").GetProperty("message").GetString();
        Assert.Contains("worker exited with code 7 while running this task; it printed: cannot open the input", message, StringComparison.Ordinal);
        dir.Delete(recursive: true);
    }

    [Theory]
    [InlineData("run", "tasks.yaml", "--order", "random")]
    [InlineData("run", "tasks.yaml", "--workers", "many")]
    [InlineData("run", "tasks.yaml", "--no-such-option")]
    [InlineData("run")]
    [InlineData("no-such-verb")]
    public async Task Cli_CommandLineThatDoesNotParse_ExitsWith2AsTheReadmeSays(params string[] args)
    {
        var (exitCode, _, stderr) = await Funcexec.RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.False(string.IsNullOrWhiteSpace(stderr));
    }

    [Fact]
    public async Task Run_TaskWiderThanTheCluster_RefusedWithClearError()
    {
        var dir = Directory.CreateTempSubdirectory("funcexec-cli-");
        var file = Path.Combine(dir.FullName, "wide.json");
        await File.WriteAllTextAsync(file, """[{"name": "wide", "code": "return 1;", "cores": 99}]""");

        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("run", file, "--workers", "2");

        Assert.Equal(2, exitCode);
        Assert.Contains("'wide' asks for 99 cores", stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stdout.Trim());
        dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Run_MoreWorkersThanCores_WarnsAndSharesCores()
    {
        var workers = Environment.ProcessorCount + 1;
        var example = Path.Combine(Funcexec.RepositoryRoot(), "examples", "tasks.yaml");

        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("run", example, "--workers", workers.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(exitCode == 0, stderr);
        Assert.Contains($"{workers} workers for {Environment.ProcessorCount} cores", stderr, StringComparison.Ordinal);
        Assert.Equal(8, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Theory]
    [InlineData("priority", new[] { "urgent", "first", "second" })]
    [InlineData("fifo", new[] { "first", "second", "urgent" })]
    public async Task Run_Order_DecidesWhichTaskStartsFirst(string order, string[] expected)
    {
        var dir = Directory.CreateTempSubdirectory("funcexec-cli-");
        var file = Path.Combine(dir.FullName, "order.yaml");
        await File.WriteAllTextAsync(file, """
            - name: first
              code: Thread.Sleep(20); return 1;
            - name: second
              code: Thread.Sleep(20); return 2;
            - name: urgent
              code: Thread.Sleep(20); return 3;
              priority: 9
            """);

        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("run", file, "--workers", "1", "--order", order);

        Assert.True(exitCode == 0, stderr);
        var started = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .OrderBy(l => l.GetProperty("started").GetDateTimeOffset())
            .Select(l => l.GetProperty("name").GetString());
        Assert.Equal(expected, started);
        dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Run_MixedFileWithPriorityTaskLast_StartsItAmongTheFirst_Issue10()
    {
        var dir = Directory.CreateTempSubdirectory("funcexec-cli-");
        var file = Path.Combine(dir.FullName, "mixed.yaml");
        await File.WriteAllTextAsync(file, """
            tasks:
              - name: min
                function: System.Math.Min
                params: [1, 2]
              - name: max
                function: System.Math.Max
                params: [3, 4]
              - name: abs
                function: System.Math.Abs
                params: [-5]
              - name: sum
                code: return Enumerable.Range(1, 10).Sum();
              - name: square
                code: return 7 * 7;
              - name: nap
                code: Thread.Sleep(100); return 1;
              - name: echo
                command: echo
                args: [hello]
              - name: "true"
                command: "true"
              - name: uname
                command: uname
                args: [-s]
              - name: crash
                code: Environment.Exit(3); return 0;
              - name: timeout
                command: sleep
                args: ["5"]
                timeout: 300ms
              - name: concat
                function: System.String.Concat
                params: [a, b]
              - name: urgent
                function: System.Math.Max
                params: [1, 9]
                priority: 10
            """);

        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("run", file, "--workers", "2");

        Assert.True(exitCode == 1, stderr); // the crash and the timeout do not succeed
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(13, lines.Count);
        var urgent = lines.Single(l => l.GetProperty("name").GetString() == "urgent");
        Assert.Equal("succeeded", urgent.GetProperty("status").GetString());
        var urgentStarted = urgent.GetProperty("started").GetDateTimeOffset();
        var startedBefore = lines
            .Where(l => l.GetProperty("started").ValueKind != JsonValueKind.Null && l.GetProperty("started").GetDateTimeOffset() < urgentStarted)
            .Select(l => l.GetProperty("name").GetString())
            .ToList();

        // It is placed first, at the head of one worker's line; at most the first task of each other worker may start
        // a moment earlier. Behind prefetched tasks it would start after most of the file.
        Assert.True(startedBefore.Count <= 2, $"the priority-10 task started after {string.Join(", ", startedBefore)}");
        dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Run_OnATerminal_ShowsAProgressBarThenTheResults()
    {
        var example = Path.Combine(Funcexec.RepositoryRoot(), "examples", "tasks.yaml");
        var log = Path.GetTempFileName();
        // `script` gives the program a pseudo-terminal, as a user's shell would.
        var command = $"dotnet exec {Path.Combine(AppContext.BaseDirectory, "funcexec.dll")} run {example} --workers 2";
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("script", ["-qec", command, log])
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        })!;
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var screen = await File.ReadAllTextAsync(log);
        File.Delete(log);

        Assert.Equal(0, process.ExitCode);
        Assert.Contains("8 tasks on 2 workers", screen, StringComparison.Ordinal);
        Assert.Contains("8 tasks done", screen, StringComparison.Ordinal);
        Assert.Contains("100%", screen, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"quick-sleep\"", screen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InterruptedWithCtrlC_WritesFinishedResultsAndLeavesNoWorkers()
    {
        var dir = Directory.CreateTempSubdirectory("funcexec-cli-");
        var file = Path.Combine(dir.FullName, "hang.yaml");
        await File.WriteAllTextAsync(file, """
            - name: quick
              code: return 1;
            - name: hang
              code: Thread.Sleep(600_000); return 2;
            """);
        using var process = System.Diagnostics.Process.Start(Funcexec.StartInfo("run", file, "--workers", "2", "--order", "fifo"))!;
        var firstLine = await process.StandardOutput.ReadLineAsync();
        var workers = ChildrenOf(process.Id);

        using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        // Bounded: a runner that starts tests with SIGINT ignored (a background job of a shell without
        // job control) passes that on, and then nothing would end this process.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var rest = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = await process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(130, process.ExitCode);
        Assert.Equal("quick", JsonDocument.Parse(firstLine!).RootElement.GetProperty("name").GetString());
        Assert.Equal(string.Empty, rest.Trim());
        Assert.Contains("interrupted: 1 of 2 tasks", stderr, StringComparison.Ordinal);
        Assert.NotEmpty(workers);
        Assert.True(await Tasks.EventuallyAsync(() => workers.All(pid => !Directory.Exists($"/proc/{pid}"))));
        dir.Delete(recursive: true);
    }

    private static int[] ChildrenOf(int pid) =>
        [.. File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture))];
}
