using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using FuncExec.IntegrationTests.Distributed;
using FuncExec.Tests.Postgres;

namespace FuncExec.IntegrationTests.Durability;

/// <summary>
/// Issue 10: two schedulers on one PostgreSQL journal, the second standing by; a node and a client given both
/// addresses. The active scheduler is SIGKILLed mid-run: the standby takes over, the node and the client follow it,
/// and the run ends with every task's line once.
/// </summary>
public sealed class StandbyTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const string Secret = "standby-test-secret";
    private const int Tasks = 500;

    [Fact]
    public async Task Run_ActiveSchedulerKilledMidRun_StandbyTakesOverAndEveryTaskReportsOnce()
    {
        var database = await postgres.CreateDatabaseAsync("standby");
        var journal = postgres.Url(database);
        int portA = FreePort(), portB = FreePort();
        var addresses = $"127.0.0.1:{portA},127.0.0.1:{portB}";
        await using var active = StartScheduler(portA, journal);
        await active.WaitForAsync("listening on");
        await using var standby = StartScheduler(portB, journal);
        await standby.WaitForAsync("standing by");
        Assert.DoesNotContain("listening on", standby.Output, StringComparison.Ordinal);
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", addresses, "-c", "4", "--name", "standby-node", "--secret", Secret);

        using var folder = new TemporaryFolder();
        var tasks = Path.Combine(folder.Path, "tasks.json");
        await File.WriteAllTextAsync(tasks, TaskFile());
        using var run = Process.Start(Funcexec.StartInfo("run", tasks, "--scheduler", addresses, "--secret", Secret))!;
        var lines = new List<string>();
        var stderr = new StringBuilder();
        run.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (lines)
                {
                    lines.Add(e.Data);
                }
            }
        };
        run.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };
        run.BeginOutputReadLine();
        run.BeginErrorReadLine();

        // Mid-run: once the journal holds the reports of a first share of the tasks.
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (int.Parse((await postgres.PsqlAsync(database, "SELECT count(*) FROM tasks WHERE finished_us IS NOT NULL")).Trim(), CultureInfo.InvariantCulture) < 50)
        {
            Assert.True(DateTime.UtcNow < deadline && !run.HasExited, $"no progress in 2 minutes:\n{active.Output}\n{node.Output}\n{stderr}");
            await Task.Delay(100);
        }

        active.Kill();
        await standby.WaitForAsync("listening on", seconds: 60);

        using (var finished = new CancellationTokenSource(TimeSpan.FromMinutes(4)))
        {
            await run.WaitForExitAsync(finished.Token);
        }

        run.WaitForExit();
        string[] results;
        lock (lines)
        {
            results = [.. lines.Where(l => l.StartsWith('{'))];
        }

        var failure = $"exit {run.ExitCode}; stderr:\n{stderr}\nstandby:\n{standby.Output}";
        Assert.True(run.ExitCode == 0, failure);
        Assert.Equal(Tasks, results.Length);
        var names = results.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("name").GetString()).ToList();
        Assert.Equal(Enumerable.Range(1, Tasks).Select(i => $"t{i}").Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        var ids = results.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(Tasks, ids.Distinct().Count());
        Assert.All(results, l => Assert.Equal("succeeded", JsonDocument.Parse(l).RootElement.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Scheduler_ItsDatabaseSessionTerminated_StopsWithExitCode3AndTheStandbyTakesOver()
    {
        var database = await postgres.CreateDatabaseAsync("lost");
        var journal = postgres.Url(database);
        await using var active = StartScheduler(FreePort(), journal);
        await active.WaitForAsync("listening on");
        await using var standby = StartScheduler(FreePort(), journal);
        await standby.WaitForAsync("standing by");

        // What a restarted database server or a cut network does to the active scheduler's session (and its advisory lock).
        await postgres.PsqlAsync(database, "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted");

        var exit = await active.WaitForExitAsync(seconds: 60);
        Assert.True(exit == 3, $"exit {exit}:\n{active.Output}");
        Assert.Contains("can no longer be written", active.Output, StringComparison.Ordinal);
        await standby.WaitForAsync("listening on", seconds: 60);
    }

    private static FuncexecProcess StartScheduler(int port, string journal) => FuncexecProcess.Start(
        "scheduler", "--ip-addr", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--udp-port", "0", "--no-dashboard",
        "--secret", Secret, "--journal", journal);

    private static string TaskFile()
    {
        var tasks = Enumerable.Range(1, Tasks).Select(i => new Dictionary<string, object>
        {
            ["name"] = $"t{i}",
            ["code"] = "System.Threading.Thread.Sleep(50); return args[0].GetInt32();",
            ["params"] = new[] { i },
            // Tasks running when the active scheduler dies count an attempt (as on a lost node): retries let them run again.
            ["retries"] = 2,
        });
        return JsonSerializer.Serialize(new { tasks });
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class TemporaryFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("funcexec-standby-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
