using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using FuncExec.IntegrationTests.Distributed;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.V1;

namespace FuncExec.IntegrationTests.Journal;

/// <summary>Issue 10: the scheduler journals what it must not lose; a restart after SIGKILL loses nothing, and a client
/// that reattaches with its token gets every result, each task id once.</summary>
public sealed class JournalRestartTests : IDisposable
{
    private const string Secret = "journal-secret";
    private readonly string _state = Directory.CreateTempSubdirectory("funcexec-journal-state-").FullName;
    private readonly int _port = FreePort();

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private string Address => $"127.0.0.1:{_port}";

    private string[] SchedulerArgs(params string[] extra) =>
        ["scheduler", "--ip-addr", "127.0.0.1", "--port", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--udp-port", "0", "--no-dashboard",
            "--secret", Secret, "--state-dir", _state, .. extra];

    private async Task<FuncexecProcess> StartSchedulerAsync(params string[] extra)
    {
        var scheduler = FuncexecProcess.Start(SchedulerArgs(extra));
        await scheduler.WaitForAsync("listening on");
        return scheduler;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static SubmitTasks Sleeps(long request, IEnumerable<long> tags, string seconds, int retries)
    {
        var submit = new SubmitTasks { Request = request };
        foreach (var tag in tags)
        {
            var assignment = new TaskAssignment { Command = new CommandCall { File = "sleep", Args = { seconds } } };
            submit.Tasks.Add(new SubmittedTaskSpec { Name = $"sleep-{tag}", Cores = 1, Retries = retries, Tag = tag, Assignment = assignment });
        }

        return submit;
    }

    private static async Task WaitForReportsAsync(DurableTestClient client, int count)
    {
        while (client.Reports.Count < count)
        {
            await client.ReceiveAsync(ClusterEnvelope.BodyOneofCase.TaskReports);
        }
    }

    [Fact]
    public async Task SchedulerKilledMidRun_RestartedWithItsJournal_RequeuesUnfinishedTasksAndTheClientGetsEveryResultOnce()
    {
        const int count = 120;
        var scheduler = await StartSchedulerAsync();
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", Address, "-c", "2", "--udp-port", "0", "--secret", Secret);
        var token = DurableTestClient.NewToken();
        var reports = new ConcurrentDictionary<long, List<TaskReportMessage>>();
        HashSet<long> acceptedIds;
        Dictionary<long, int> beforeKill;
        await using (var first = await DurableTestClient.ConnectAsync(_port, Secret, token, reattachMs: 120_000, reports))
        {
            Assert.False(first.Welcome.Resumed);
            first.Send(new ClusterEnvelope { Submit = Sleeps(1, Enumerable.Range(1, count).Select(i => (long)i), "0.05", retries: 3) });
            acceptedIds = [.. (await first.ReceiveAsync(ClusterEnvelope.BodyOneofCase.SubmitAccepted)).SubmitAccepted.TaskIds];
            Assert.Equal(count, acceptedIds.Count);
            await WaitForReportsAsync(first, 20);

            scheduler.Kill();
            await scheduler.DisposeAsync();
            await first.Closed;
            beforeKill = reports.ToDictionary(r => r.Key, r => r.Value.Count);
        }

        Assert.InRange(beforeKill.Count, 20, count - 1);
        await using var restarted = await StartSchedulerAsync();
        await restarted.WaitForAsync("unfinished tasks queued again");
        await using var second = await DurableTestClient.ConnectAsync(_port, Secret, token, reattachMs: 120_000, reports);
        Assert.True(second.Welcome.Resumed);
        var pending = Enumerable.Range(1, count).Select(i => (long)i).Where(tag => !beforeKill.ContainsKey(tag)).ToList();
        second.Send(new ClusterEnvelope { Resume = new Resume { PendingTags = { pending } } });
        var resumed = (await second.ReceiveAsync(ClusterEnvelope.BodyOneofCase.ResumeReply)).ResumeReply;
        // Every task it still waits for was accepted, so the scheduler knows every one: none is lost.
        Assert.Equal(pending.Order(), resumed.Known.Select(k => k.Tag).Order());
        await WaitForReportsAsync(second, count);

        Assert.Equal(count, reports.Count);
        foreach (var (tag, received) in reports)
        {
            // One task id per tag, and a report that came twice is one the client had before the kill and whose
            // acknowledgement the scheduler had not yet journaled.
            Assert.Single(received.Select(r => r.Id).Distinct());
            Assert.True(received.Count == 1 || beforeKill.ContainsKey(tag), $"tag {tag} was reported {received.Count} times, though not before the kill");
            Assert.Equal(TaskOutcome.Succeeded, received[0].Outcome);
        }

        Assert.Equal(acceptedIds.Order(), reports.Values.Select(r => r[0].Id).Order());
    }

    /// <summary>An acknowledgement waits for the journal's next commit, since losing it only posts a report again: a
    /// scheduler killed before that commit posts the report once more after its restart, under the same task id.</summary>
    [Fact]
    public async Task Acknowledgement_SchedulerKilledBeforeTheNextCommit_ReportIsPostedAgainOnceUnderTheSameId()
    {
        var scheduler = await StartSchedulerAsync();
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", Address, "-c", "1", "--udp-port", "0", "--secret", Secret);
        var token = DurableTestClient.NewToken();
        var reports = new ConcurrentDictionary<long, List<TaskReportMessage>>();
        await using (var first = await DurableTestClient.ConnectAsync(_port, Secret, token, reattachMs: 120_000, reports))
        {
            first.Send(new ClusterEnvelope { Submit = Sleeps(1, [1], "0", retries: 0) });
            await first.ReceiveAsync(ClusterEnvelope.BodyOneofCase.SubmitAccepted);
            // The test client acknowledges each report as it comes; nothing is journaled after that.
            await WaitForReportsAsync(first, 1);
            scheduler.Kill();
            await scheduler.DisposeAsync();
            await first.Closed;
        }

        await using var restarted = await StartSchedulerAsync();
        await using (var second = await DurableTestClient.ConnectAsync(_port, Secret, token, reattachMs: 120_000, reports))
        {
            Assert.True(second.Welcome.Resumed);
            second.Send(new ClusterEnvelope { Resume = new Resume() });
            // The kept reports are posted before the reply.
            await second.ReceiveAsync(ClusterEnvelope.BodyOneofCase.ResumeReply);
            var received = reports[1];
            Assert.Equal(2, received.Count);
            Assert.Equal(received[0].Id, received[1].Id);
            Assert.Equal(TaskOutcome.Succeeded, received[1].Outcome);
            // Answered after the acknowledgement sent before it was handled: the scheduler has it.
            second.Send(new ClusterEnvelope { StatusRequest = new StatusRequest { Request = 1 } });
            await second.ReceiveAsync(ClusterEnvelope.BodyOneofCase.StatusReply);
        }

        // Acknowledged again, and journaled when the scheduler stops (SIGTERM): the next start posts nothing.
        restarted.Terminate();
        Assert.Equal(0, await restarted.WaitForExitAsync());
        await using var third = await StartSchedulerAsync();
        await using var client = await DurableTestClient.ConnectAsync(_port, Secret, token, reattachMs: 120_000, reports);
        client.Send(new ClusterEnvelope { Resume = new Resume() });
        await client.ReceiveAsync(ClusterEnvelope.BodyOneofCase.ResumeReply);
        Assert.Equal(2, reports[1].Count);
    }

    [Fact]
    public async Task Result_AfterTheClientLeftAndTheSchedulerRestarted_PrintsEachReportById()
    {
        var scheduler = await StartSchedulerAsync();
        long[] ids;
        await using (var node = await FuncexecProcess.StartNodeAsync("--scheduler", Address, "-c", "2", "--udp-port", "0", "--secret", Secret))
        await using (var client = await DurableTestClient.ConnectAsync(_port, Secret, DurableTestClient.NewToken(), reattachMs: 1_000))
        {
            client.Send(new ClusterEnvelope { Submit = Sleeps(1, [1, 2, 3], "0", retries: 0) });
            ids = [.. (await client.ReceiveAsync(ClusterEnvelope.BodyOneofCase.SubmitAccepted)).SubmitAccepted.TaskIds];
            await WaitForReportsAsync(client, 3);
        }

        scheduler.Kill();
        await scheduler.DisposeAsync();
        await using var restarted = await StartSchedulerAsync();

        var (code, stdout, stderr) = await Funcexec.RunAsync(["result", .. ids.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)), "--scheduler", Address, "--secret", Secret]);
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        foreach (var (line, id) in lines.Zip(ids))
        {
            Assert.Contains($"\"id\":{id}", line, StringComparison.Ordinal);
            Assert.Contains("\"status\":\"succeeded\"", line, StringComparison.Ordinal);
        }

        var missing = await Funcexec.RunAsync("result", "999999", "--scheduler", Address, "--secret", Secret);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("task 999999 is unknown", missing.Stderr, StringComparison.Ordinal);
        var bad = await Funcexec.RunAsync("result", "seven", "--scheduler", Address, "--secret", Secret);
        Assert.Equal(2, bad.ExitCode);
    }

    [Fact]
    public async Task Scheduler_CorruptJournal_ExitsWith2NamingFreshJournal_AndStartsFreshWhenAsked()
    {
        var journal = Path.Combine(_state, "garbage.db");
        await File.WriteAllBytesAsync(journal, [.. Enumerable.Repeat((byte)'x', 16384)]);
        var (code, _, stderr) = await Funcexec.RunAsync(SchedulerArgs("--journal", journal));
        Assert.Equal(2, code);
        Assert.Contains(journal, stderr, StringComparison.Ordinal);
        Assert.Contains("--fresh-journal", stderr, StringComparison.Ordinal);

        await using var fresh = await StartSchedulerAsync("--journal", journal, "--fresh-journal");
        Assert.Single(Directory.GetFiles(_state, "garbage.db.bad-*"));
    }

    [Fact]
    public async Task Scheduler_JournalDeletedAfterItWasCreated_ExitsWith2SayingItIsMissing()
    {
        var scheduler = await StartSchedulerAsync();
        await scheduler.DisposeAsync();
        var journal = Path.Combine(_state, $"scheduler-{_port}", "journal.db");
        Assert.True(File.Exists(journal));
        File.Delete(journal);

        var (code, _, stderr) = await Funcexec.RunAsync(SchedulerArgs());
        Assert.Equal(2, code);
        Assert.Contains("missing", stderr, StringComparison.Ordinal);
        Assert.Contains("--fresh-journal", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handshake_MalformedClientToken_IsRefusedWithTheReason()
    {
        await using var scheduler = await StartSchedulerAsync();
        var refused = await Assert.ThrowsAsync<PeerProtocolException>(
            () => DurableTestClient.ConnectAsync(_port, Secret, "NOT-A-TOKEN", reattachMs: 0));
        Assert.Contains("32 lowercase hexadecimal", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reattach_SameTokenOnASecondConnection_TheOlderConnectionIsClosed()
    {
        await using var scheduler = await StartSchedulerAsync();
        var token = DurableTestClient.NewToken();
        await using var older = await DurableTestClient.ConnectAsync(_port, Secret, token, reattachMs: 60_000);
        // A reply proves the scheduler attached the older connection to its token (that follows the handshake).
        older.Send(new ClusterEnvelope { StatusRequest = new StatusRequest() });
        await older.ReceiveAsync(ClusterEnvelope.BodyOneofCase.StatusReply);
        await using var newer = await DurableTestClient.ConnectAsync(_port, Secret, token, reattachMs: 60_000);
        Assert.True(newer.Welcome.Resumed);
        await older.Closed;
        await scheduler.WaitForAsync("took over");
        Assert.DoesNotContain(token, scheduler.Output, StringComparison.Ordinal);
    }
}
