using BenchmarkDotNet.Attributes;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;
using Google.Protobuf;

namespace FuncExec.Bench.Micro;

/// <summary>
/// The scheduler's cost per task: submit, place on a worker slot, and take its one result, for
/// batches of 1,000 one-core tasks on a node of 2 workers; against a priority queue's enqueue
/// and dequeue of as many items, the least a queue-ordered scheduler could do.
/// </summary>
/// <remarks>
/// The scheduler lives across invocations, so duration estimates are warm: the tasks are known
/// to be short and each worker holds many at once, as in a long run of tiny tasks. Tasks and
/// results are built once and reused (the scheduler keeps neither after the report), so what is
/// measured is the scheduler, not the protobuf objects a server would parse from the wire.
/// </remarks>
[MemoryDiagnoser]
public class SchedulingBenchmarks
{
    private const int Tasks = 1_000;

    // As a worker's result batcher sends them at most.
    private const int ResultBatch = 64;

    private readonly CountingNode _node = new();
    private readonly CountingObserver _observer = new();
    private readonly ClusterScheduler _scheduler = new();
    private readonly PriorityQueue<long, long> _queue = new(Tasks);
    private SubmittedTaskSpec[] _tasks = [];
    private TaskResult[] _results = [];

    [GlobalSetup]
    public void Setup()
    {
        var args = ByteString.CopyFrom("[1,2]"u8);
        var resultJson = ByteString.CopyFrom("2"u8);
        _tasks = new SubmittedTaskSpec[Tasks];
        _results = new TaskResult[Tasks];
        for (var i = 0; i < Tasks; i++)
        {
            _tasks[i] = new SubmittedTaskSpec
            {
                Name = $"task-{i}",
                Cores = 1,
                Assignment = new TaskAssignment { Method = new MethodCall { Name = "System.Math.Max" }, ArgsJson = args },
            };

            // A 10 µs task: short, so a worker is given many at once.
            _results[i] = new TaskResult
            {
                Attempt = 1,
                Outcome = TaskOutcome.Succeeded,
                ResultJson = resultJson,
                StartedUnixUs = 1_700_000_000_000_000,
                FinishedUnixUs = 1_700_000_000_000_010,
            };
        }

        var node = _scheduler.AddNode(_node, [0, 1]);
        _scheduler.WorkerReady(node, 0);
        _scheduler.WorkerReady(node, 1);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Tasks, Description = "PriorityQueue enqueue+dequeue")]
    public long PriorityQueue()
    {
        for (long i = 0; i < Tasks; i++)
        {
            _queue.Enqueue(i, i);
        }

        long sum = 0;
        while (_queue.TryDequeue(out var item, out _))
        {
            sum += item;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Tasks, Description = "ClusterScheduler submit+place+result")]
    public int SubmitPlaceResult()
    {
        var assignedBefore = _node.Assigned;
        var finishedBefore = _observer.Finished;
        var ids = _scheduler.Submit(_tasks, _observer);
        var delivered = 0;
        while (delivered < Tasks)
        {
            // All tasks have one priority, so they are placed in submission order: the first
            // `assigned` ids are on workers. OnResults finds a task by its id alone.
            var assigned = _node.Assigned - assignedBefore;
            if (assigned == delivered)
            {
                throw new InvalidOperationException($"the scheduler placed {assigned} of {Tasks} tasks and stalled");
            }

            var count = Math.Min(ResultBatch, assigned - delivered);
            for (var i = delivered; i < delivered + count; i++)
            {
                _results[i].TaskId = ids[i];
            }

            _scheduler.OnResults(0, 0, new ArraySegment<TaskResult>(_results, delivered, count));
            delivered += count;
        }

        var finished = _observer.Finished - finishedBefore;
        return finished == Tasks
            ? finished
            : throw new InvalidOperationException($"{finished} of {Tasks} tasks were reported");
    }

    /// <summary>A node that only counts what it is handed.</summary>
    private sealed class CountingNode : INodeChannel
    {
        public string NodeName => "bench";

        public int Assigned { get; private set; }

        public void Assign(int workerId, IReadOnlyList<TaskAssignment> tasks) => Assigned += tasks.Count;

        public int Revoked { get; private set; }

        public int Killed { get; private set; }

        public void Revoke(int workerId, long taskId, int attempt) => Revoked++;

        public void Kill(int workerId, long taskId, int attempt) => Killed++;

        public void Cancel(int workerId, long taskId, int attempt, TimeSpan grace) => Killed++;

        public void Deliver(int workerId, TaskMessage message) => Assigned++;

        public void Acknowledge(int workerId, MessageAck ack) => Assigned++;

        public void Computation(NodeComputation computation) => Assigned++;
    }

    /// <summary>A submitter that only counts reports.</summary>
    private sealed class CountingObserver : ITaskObserver
    {
        public int Finished { get; private set; }

        public void OnFinished(IReadOnlyList<FinishedTask> finished) => Finished += finished.Count;
    }
}
