using FuncExec.Core.Tasks;
using FuncExec.Reporting.Internal;
using FuncExec.Reporting.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace FuncExec.Reporting.Tests;

public sealed class ProfileRecorderTests
{
    private const string Header = "record,time_us,task_id,name,computation,worker,cores,status,attempts,queued_us,started_us,finished_us,busy_workers,workers,queued,completed,error";

    [Fact]
    public async Task OnEvents_SyntheticRun_WritesWorkerTaskAndDeathRowsAndAFinalSample()
    {
        using var dir = new TempDirectory();
        var path = dir.File("run.csv");
        var clock = new FakeTimeProvider();
        var t0 = clock.GetUtcNow();
        var us0 = UnixTime.ToMicroseconds(t0);
        DateTimeOffset At(int ms) => t0.AddMilliseconds(ms);
        const string quoted = "says \"hi\", twice";

        await using (var recorder = new ProfileRecorder(path, () => new ProfileSample(1, 2, 3, 4), TimeSpan.FromMilliseconds(100), clock))
        {
            recorder.OnEvents([
                ClusterEvent.NodeJoined(t0, 0, "node1", 2),
                ClusterEvent.WorkerStarted(t0, 0, 0, "node1/worker-0", 0),
                ClusterEvent.WorkerStarted(t0, 0, 1, "node1/worker-1", 1),
                ClusterEvent.WorkerStarted(t0, 1, 0, "node2/worker-0", -1),
                ClusterEvent.TaskQueued(At(1), 7, "plain", 1),
                ClusterEvent.TaskQueued(At(1), 8, quoted, 1),
                ClusterEvent.TaskQueued(At(1), 9, "never finishes", 1),
                ClusterEvent.TaskQueued(At(1), 10, "killed in the queue", 2),
                ClusterEvent.TaskStarted(At(2), 7, "plain", 1, "node1/worker-0", [0], 1),
                ClusterEvent.TaskStarted(At(3), 8, quoted, 1, "node1/worker-1", [1, 0], 1),
            ]);
            recorder.OnEvents([
                ClusterEvent.TaskFinished(At(5), 7, "plain", 1, TaskState.Succeeded, "node1/worker-0", [0], At(2), At(5), 1),
                // A retry queues the task again; its queued_us stays the first submission's.
                ClusterEvent.TaskQueued(At(6), 8, quoted, 1),
                ClusterEvent.TaskFinished(At(9), 8, quoted, 1, TaskState.Failed, "node1/worker-1", [1, 0], At(7), At(9), 2) with
                {
                    Error = new RemoteError("System.InvalidOperationException", "outer", "at Job.Run()") { Inner = [new("System.ArgumentException", "inner cause")] },
                },
                ClusterEvent.WorkerDied(At(9), 0, 1, "node1/worker-1", "exited with code 3"),
                ClusterEvent.TaskFinished(At(10), 10, "killed in the queue", 2, TaskState.Killed, null, [], null, At(10), 0),
            ]);
        }

        Assert.Equal(
            [
                Header,
                $"worker,{us0},,,,node1/worker-0,0,,,,,,,,,,",
                $"worker,{us0},,,,node1/worker-1,1,,,,,,,,,,",
                $"worker,{us0},,,,node2/worker-0,,,,,,,,,,,",
                $"task,{us0 + 5000},7,plain,1,node1/worker-0,0,succeeded,1,{us0 + 1000},{us0 + 2000},{us0 + 5000},,,,,",
                $"task,{us0 + 9000},8,\"says \"\"hi\"\", twice\",1,node1/worker-1,1;0,failed,2,{us0 + 1000},{us0 + 7000},{us0 + 9000},,,,,"
                    + "\"{\"\"type\"\":\"\"System.InvalidOperationException\"\",\"\"message\"\":\"\"outer\"\",\"\"stack\"\":\"\"at Job.Run()\"\","
                    + "\"\"inner\"\":[{\"\"type\"\":\"\"System.ArgumentException\"\",\"\"message\"\":\"\"inner cause\"\"}]}\"",
                $"worker-died,{us0 + 9000},,,,node1/worker-1,,exited with code 3,,,,,,,,,",
                $"task,{us0 + 10000},10,killed in the queue,2,,,killed,0,{us0 + 1000},,{us0 + 10000},,,,,",
                $"sample,{us0},,,,,,,,,,,1,2,3,4,",
            ],
            await ReadLinesAsync(path));
    }

    [Fact]
    public async Task Samples_ClockAdvancesByTheInterval_OneSampleRowPerTickInTimeOrder()
    {
        using var dir = new TempDirectory();
        var path = dir.File("run.csv");
        var clock = new FakeTimeProvider();
        var us0 = UnixTime.ToMicroseconds(clock.GetUtcNow());
        var completed = 0L;
        await using (var recorder = new ProfileRecorder(path, () => new ProfileSample(2, 4, 10 - (int)completed, completed++), timeProvider: clock))
        {
            Assert.Equal(TimeSpan.FromMilliseconds(100), recorder.Interval);
            clock.Advance(TimeSpan.FromMilliseconds(99));
            await recorder.FlushAsync();
            Assert.Equal([Header], await ReadLinesAsync(path));

            for (var i = 0; i < 3; i++)
            {
                clock.Advance(TimeSpan.FromMilliseconds(i == 0 ? 1 : 100));
            }

            await recorder.FlushAsync();
            Assert.Equal(
                [
                    Header,
                    $"sample,{us0 + 100_000},,,,,,,,,,,2,4,10,0,",
                    $"sample,{us0 + 200_000},,,,,,,,,,,2,4,9,1,",
                    $"sample,{us0 + 300_000},,,,,,,,,,,2,4,8,2,",
                ],
                await ReadLinesAsync(path));
        }

        Assert.Equal($"sample,{us0 + 300_000},,,,,,,,,,,2,4,7,3,", (await ReadLinesAsync(path))[^1]);
    }

    [Fact]
    public async Task OnEvents_ManyThreadsAtOnce_EveryTaskGetsExactlyOneRow()
    {
        using var dir = new TempDirectory();
        var path = dir.File("run.csv");
        var t0 = DateTimeOffset.UtcNow;
        const int threads = 8, perThread = 500;
        await using (var recorder = new ProfileRecorder(path, () => new ProfileSample(0, 0, 0, 0)))
        {
            await Task.WhenAll(Enumerable.Range(0, threads).Select(thread => Task.Run(() =>
            {
                var batch = new List<ClusterEvent>(2);
                for (var i = 0; i < perThread; i++)
                {
                    long id = (thread * perThread) + i + 1;
                    batch.Clear();
                    batch.Add(ClusterEvent.TaskQueued(t0, id, $"t{id}", 1));
                    batch.Add(ClusterEvent.TaskFinished(t0.AddMilliseconds(1), id, $"t{id}", 1, TaskState.Succeeded, $"n/worker-{thread}", [thread], t0, t0.AddMilliseconds(1), 1));
                    // The recorder copies the batch, so reusing the list is allowed.
                    recorder.OnEvents(batch);
                }
            })));
        }

        var profile = ProfileReader.Read(path);
        Assert.Equal(Enumerable.Range(1, threads * perThread).Select(i => (long)i), profile.Tasks.Select(t => t.TaskId).Order());
        Assert.All(profile.Tasks, t => Assert.Equal(UnixTime.ToMicroseconds(t0), t.QueuedUs));
    }

    [Fact]
    public async Task RecordedFile_ReadBack_KeepsNamesWithCommasQuotesAndLineBreaks()
    {
        using var dir = new TempDirectory();
        var path = dir.File("run.csv");
        var t0 = DateTimeOffset.UtcNow;
        string[] names = ["a,b", "\"quoted\"", "two\nlines", "crlf\r\nline", " padded ", "plain", "</script><script>alert(1)</script>"];
        await using (var recorder = new ProfileRecorder(path, () => new ProfileSample(0, 1, 0, 0)))
        {
            recorder.OnEvents(names.Select((n, i) => (ClusterEvent)ClusterEvent.TaskFinished(
                t0.AddMilliseconds(i + 1), i + 1, n, 1, TaskState.Succeeded, "node, \"one\"/worker-0", [0, 1], t0, t0.AddMilliseconds(i + 1), 1)).ToArray());
        }

        var profile = ProfileReader.Read(path);
        Assert.Equal(names, profile.Tasks.Select(t => t.Name));
        Assert.All(profile.Tasks, t => Assert.Equal("node, \"one\"/worker-0", t.Worker));
        Assert.All(profile.Tasks, t => Assert.Equal([0, 1], t.Cores));
        Assert.All(profile.Tasks, t => Assert.Null(t.QueuedUs));
    }

    [Fact]
    public async Task RecordedFile_ReadBack_FailedTasksKeepTheirErrorsWithCauses()
    {
        using var dir = new TempDirectory();
        var path = dir.File("run.csv");
        var t0 = DateTimeOffset.UtcNow;
        var chained = new RemoteError("System.InvalidOperationException", "outer\nsecond line, \"quoted\"", "at Job.Run()\n   at Main()")
        {
            // Causes are never retryable: only the top of the chain says whether a retry may help.
            Inner = [new("System.ArgumentException", "inner cause", "at Job.Check()", false) { Inner = [new("System.IO.IOException", "disk", null, false)] }],
        };
        var aggregate = new RemoteError("System.AggregateException", "two", null) { Inner = [new("System.TimeoutException", "first", null, false), new("System.FormatException", "second", null, false)] };
        await using (var recorder = new ProfileRecorder(path, () => new ProfileSample(0, 1, 0, 0)))
        {
            recorder.OnEvents([
                ClusterEvent.TaskFinished(t0, 1, "chained", 1, TaskState.Failed, "n/worker-0", [0], t0, t0, 1) with { Error = chained },
                ClusterEvent.TaskFinished(t0, 2, "aggregate", 1, TaskState.TimedOut, "n/worker-0", [0], t0, t0, 1) with { Error = aggregate },
                ClusterEvent.TaskFinished(t0, 3, "fine", 1, TaskState.Succeeded, "n/worker-0", [0], t0, t0, 1),
            ]);
        }

        var profile = ProfileReader.Read(path);

        // A stack's line breaks are escaped in the JSON: every row is one line of the file.
        Assert.Equal(1 + 3 + 1, (await ReadLinesAsync(path)).Length);
        Assert.Equal(new RemoteError?[] { chained, aggregate, null }, profile.Tasks.Select(t => t.Error));
        Assert.Equal("disk", profile.Tasks[0].Error!.Inner[0].Inner[0].Message);
        Assert.Equal(["first", "second"], profile.Tasks[1].Error!.Inner.Select(e => e.Message));
    }

    [Fact]
    public async Task OnEvents_MoreFailedTasksThanErrorsInFull_LaterErrorsKeepTypeAndMessageOnly()
    {
        using var dir = new TempDirectory();
        var path = dir.File("run.csv");
        var t0 = DateTimeOffset.UtcNow;
        var error = new RemoteError("System.InvalidOperationException", "outer", "at Job.Run()") { Inner = [new("System.ArgumentException", "inner cause", null, false)] };
        await using (var recorder = new ProfileRecorder(path, () => new ProfileSample(0, 1, 0, 0)))
        {
            recorder.OnEvents([.. Enumerable.Range(1, ProfileRowWriter.ErrorsInFull + 1).Select(i =>
                (ClusterEvent)ClusterEvent.TaskFinished(t0, i, $"t{i}", 1, TaskState.Failed, "n/worker-0", [0], t0, t0, 1) with { Error = error })]);
        }

        var tasks = ProfileReader.Read(path).Tasks;

        Assert.Equal(error, tasks[ProfileRowWriter.ErrorsInFull - 1].Error);
        Assert.Equal(new RemoteError("System.InvalidOperationException", "outer"), tasks[^1].Error);
    }

    [Fact]
    public async Task DisposeAsync_SampleFunctionThrew_ThrowsWithTheCauseAndKeepsTheRowsBefore()
    {
        using var dir = new TempDirectory();
        var path = dir.File("run.csv");
        var clock = new FakeTimeProvider();
        var calls = 0;
        var recorder = new ProfileRecorder(path, () => ++calls < 2 ? new ProfileSample(1, 1, 1, 1) : throw new InvalidCastException("broken sampler"), timeProvider: clock);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        clock.Advance(TimeSpan.FromMilliseconds(100));
        clock.Advance(TimeSpan.FromMilliseconds(100));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await recorder.DisposeAsync());

        Assert.IsType<InvalidCastException>(error.InnerException);
        Assert.Contains("broken sampler", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, calls);
        Assert.Equal(2, (await ReadLinesAsync(path)).Length);
    }

    [Fact]
    public async Task OnEvents_AfterDispose_IsIgnored()
    {
        using var dir = new TempDirectory();
        var path = dir.File("run.csv");
        var recorder = new ProfileRecorder(path, () => new ProfileSample(0, 0, 0, 0));
        await recorder.DisposeAsync();
        var before = await ReadLinesAsync(path);

        recorder.OnEvents([ClusterEvent.WorkerStarted(DateTimeOffset.UtcNow, 0, 0, "n/worker-0", 0)]);
        recorder.Dispose();

        Assert.Equal(before, await ReadLinesAsync(path));
    }

    [Fact]
    public void Constructor_DirectoryMissing_ThrowsIOException()
    {
        using var dir = new TempDirectory();

        Assert.ThrowsAny<IOException>(() => new ProfileRecorder(dir.File("missing/run.csv"), () => new ProfileSample(0, 0, 0, 0)));
    }

    private static async Task<string[]> ReadLinesAsync(string path)
    {
        // The recorder keeps the file open for writing; share it back.
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
