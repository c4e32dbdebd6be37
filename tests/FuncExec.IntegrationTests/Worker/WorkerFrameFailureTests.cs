using System.Threading.Channels;
using FuncExec.Node;
using FuncExec.Protocol.V1;
using Google.Protobuf;

namespace FuncExec.IntegrationTests.Worker;

/// <summary>
/// A worker's frame the node cannot take ends that worker, not the node: a worker runs its tasks' code, which may
/// write to the worker's socket, and an exception on the node's reading thread once ended the whole node. Here the
/// node's link to its scheduler throws on a running task's first progress report, as a bug would: the worker is
/// replaced, its task is reported lost with the reason, and the next task runs on the new worker.
/// </summary>
public sealed class WorkerFrameFailureTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Progress_HandlingItThrows_TheWorkerIsReplacedNamingWhy_AndTheNextTaskRuns()
    {
        var link = new FailingOnceLink();
        var dest = Directory.CreateTempSubdirectory("funcexec-frame-failure-");
        try
        {
            await using var node = new LocalNode(new NodeOptions { Name = "frames", Workers = 1, DestPath = dest.FullName });
            await node.StartAsync(link, untilFirstReady: true);

            node.Assign(0, [new TaskAssignment
            {
                TaskId = 1,
                Attempt = 1,
                Method = new MethodCall { Name = "FuncExec.TestJobs.Jobs.Progress", Assembly = node.Components.PutAssembly(ScriptedNode.JobsPath) },
                ArgsJson = ByteString.CopyFromUtf8("[]"),
            }]);
            var lost = await link.Lost.Reader.ReadAsync().AsTask().WaitAsync(Patience);
            var ended = Assert.Single(lost);
            Assert.Equal(1, ended.TaskId);
            Assert.Contains("the node ended its worker while it ran this task: a frame it sent could not be handled: InvalidOperationException: the link refused this progress", ended.Error.Message, StringComparison.Ordinal);

            await link.Ready.Reader.ReadAsync().AsTask().WaitAsync(Patience);
            node.Assign(0, [True(2)]);
            var result = Assert.Single(await link.Results.Reader.ReadAsync().AsTask().WaitAsync(Patience));
            Assert.Equal((2L, TaskOutcome.Succeeded), (result.TaskId, result.Outcome));
        }
        finally
        {
            dest.Delete(recursive: true);
        }
    }

    private static TaskAssignment True(long taskId) => new() { TaskId = taskId, Attempt = 1, Command = new CommandCall { File = "true" } };

    /// <summary>A scheduler link that throws on the first progress it is given, as a bug in the node would.</summary>
    private sealed class FailingOnceLink : ISchedulerLink
    {
        private int _failed;

        public Channel<IReadOnlyList<TaskResult>> Results { get; } = Channel.CreateUnbounded<IReadOnlyList<TaskResult>>();

        public Channel<IReadOnlyList<TaskResult>> Lost { get; } = Channel.CreateUnbounded<IReadOnlyList<TaskResult>>();

        /// <summary>Workers ready after the first (the replacement).</summary>
        public Channel<int> Ready { get; } = Channel.CreateUnbounded<int>();

        public void NodeDraining()
        {
        }

        public void WorkerReady(int workerId)
        {
            if (Volatile.Read(ref _failed) == 1)
            {
                Ready.Writer.TryWrite(workerId);
            }
        }

        public void OnResults(int workerId, IReadOnlyList<TaskResult> results) => Results.Writer.TryWrite([.. results]);

        public void TasksReturned(int workerId, IReadOnlyList<long> taskIds)
        {
        }

        public void WorkerLost(int workerId, IReadOnlyList<TaskResult> ended, IReadOnlyList<long> unstarted) => Lost.Writer.TryWrite([.. ended]);

        public void WorkerReplaced(int workerId, IReadOnlyList<TaskResult> ended, IReadOnlyList<long> unstarted)
        {
            Lost.Writer.TryWrite([.. ended]);
            Ready.Writer.TryWrite(workerId);
        }

        public void OnTaskMessage(int workerId, TaskMessage message)
        {
        }

        public void OnProgress(int workerId, TaskProgress progress)
        {
            if (Interlocked.Exchange(ref _failed, 1) == 0)
            {
                throw new InvalidOperationException("the link refused this progress");
            }
        }
    }
}
