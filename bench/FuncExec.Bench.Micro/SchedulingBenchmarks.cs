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
    private readonly SchedulerRound _round = new(SchedulerRound.Tasks);
    private readonly PriorityQueue<long, long> _queue = new(SchedulerRound.Tasks);

    [Benchmark(Baseline = true, OperationsPerInvoke = SchedulerRound.Tasks, Description = "PriorityQueue enqueue+dequeue")]
    public long PriorityQueue()
    {
        for (long i = 0; i < SchedulerRound.Tasks; i++)
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

    [Benchmark(OperationsPerInvoke = SchedulerRound.Tasks, Description = "ClusterScheduler submit+place+result")]
    public int SubmitPlaceResult() => _round.Run();
}

/// <summary>
/// One round of the scheduler's work for <see cref="Tasks"/> one-core tasks: submit them all to a scheduler with one
/// node of 2 ready workers, and deliver their results back, at most 64 at a time (a worker's result batch), until all
/// are reported. The node channel and the submitter only count what they are handed.
/// </summary>
internal sealed class SchedulerRound
{
    public const int Tasks = 1_000;

    // As a worker's result batcher sends them at most.
    private const int ResultBatch = 64;

    private readonly CountingNode _node = new();
    private readonly CountingObserver _observer = new();
    private readonly ClusterScheduler _scheduler = new();
    private readonly SubmittedTaskSpec[] _tasks;
    private readonly TaskResult[] _results;

    public SchedulerRound(int tasks)
    {
        var args = ByteString.CopyFrom("[1,2]"u8);
        var resultJson = ByteString.CopyFrom("2"u8);
        _tasks = new SubmittedTaskSpec[tasks];
        _results = new TaskResult[tasks];
        for (var i = 0; i < tasks; i++)
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

    /// <summary>The tasks as the submitter hands them in, to be prepared (traced) before <see cref="Run"/>.</summary>
    public IReadOnlyList<SubmittedTaskSpec> Submissions => _tasks;

    /// <summary>Submits every task, delivers every result (each from the worker it was handed to, in the order it was
    /// handed), and checks each was reported.</summary>
    /// <returns>How many were reported.</returns>
    public int Run()
    {
        var tasks = _tasks.Length;
        var finishedBefore = _observer.Finished;
        _scheduler.Submit(_tasks, _observer);
        var delivered = 0;
        while (delivered < tasks)
        {
            var before = delivered;
            for (var worker = 0; worker < _node.Handed.Length; worker++)
            {
                var handed = _node.Handed[worker];
                var count = Math.Min(ResultBatch, handed.Count);
                if (count == 0)
                {
                    continue;
                }

                for (var i = 0; i < count; i++)
                {
                    _results[delivered + i].TaskId = handed[i];
                }

                handed.RemoveRange(0, count);
                _scheduler.OnResults(0, worker, new ArraySegment<TaskResult>(_results, delivered, count));
                delivered += count;
            }

            if (delivered == before)
            {
                throw new InvalidOperationException($"the scheduler placed {delivered} of {tasks} tasks and stalled");
            }
        }

        var finished = _observer.Finished - finishedBefore;
        return finished == tasks
            ? finished
            : throw new InvalidOperationException($"{finished} of {tasks} tasks were reported");
    }

    /// <summary>A node that only counts what it is handed.</summary>
    private sealed class CountingNode : INodeChannel
    {
        public string NodeName => "bench";

        public int Assigned { get; private set; }

        /// <summary>Per worker, the ids of the tasks handed to it and not yet answered, in the order handed.</summary>
        public List<long>[] Handed { get; } = [new(), new()];

        public void Assign(int workerId, IReadOnlyList<TaskAssignment> tasks)
        {
            Assigned += tasks.Count;
            foreach (var task in tasks)
            {
                Handed[workerId].Add(task.TaskId);
            }
        }

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
