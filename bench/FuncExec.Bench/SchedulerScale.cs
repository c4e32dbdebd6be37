using System.Diagnostics;
using FuncExec;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;
using Google.Protobuf;

namespace FuncExec.Bench;

/// <summary>
/// The scheduler's own logic at scale, with no process or socket: simulated nodes whose channels only note what they
/// are handed, and clients that submit in batches and count their reports. One run is timed for a small cluster
/// (1 node × 2 workers) and one for a large one (by default 1,000 nodes × 32 workers), with the same tasks:
/// <list type="bullet">
/// <item>the cost per task of submitting, placing and taking its result, as a ratio large / small;</item>
/// <item>the memory the scheduler holds per task submitted and not yet finished;</item>
/// <item>how long it takes to react to a node's loss with every task submitted (requeue what the node held, and
/// place it again), and to take a replacement node in.</item>
/// </list>
/// </summary>
/// <remarks>Results come back as a worker's batcher sends them (up to 64 at a time, in the order handed), each for
/// the attempt it was handed; every task must be reported once to its own client, or the run throws.</remarks>
internal static class SchedulerScale
{
    private const int SubmitBatch = 4096;
    private const int ResultBatch = 64;

    /// <summary>One cluster's figures.</summary>
    public sealed record Figures(
        string Cluster, int Tasks, double SubmitSeconds, double DrainSeconds, double BytesPerTask,
        double LossMilliseconds, int Requeued, double RejoinMilliseconds)
    {
        public double MicrosecondsPerTask => (SubmitSeconds + DrainSeconds) * 1e6 / Tasks;
    }

    public static void Run(int nodes, int workersPerNode, int tasks, int clients)
    {
        // Once small on both shapes first, so neither measured run pays for compiling the code it runs.
        Measure(1, 2, 20_000, clients);
        Measure(Math.Min(nodes, 4), workersPerNode, 20_000, clients);
        Console.Error.WriteLine($"scale: 1 node × 2 workers, {tasks:N0} tasks from {clients} clients ...");
        var small = Measure(1, 2, tasks, clients);
        Console.Error.WriteLine($"scale: {nodes:N0} nodes × {workersPerNode} workers, {tasks:N0} tasks from {clients} clients ...");
        var large = Measure(nodes, workersPerNode, tasks, clients);

        Console.WriteLine();
        Console.WriteLine($"the scheduler alone (simulated nodes, no sockets), {tasks:N0} one-core no-op tasks from {clients} clients");
        Console.WriteLine($"{"cluster",-22} {"submit µs/task",15} {"place+result µs/task",21} {"total µs/task",14} {"bytes/task held",16} {"node loss ms",13} {"requeued",9} {"rejoin ms",10}");
        foreach (var f in new[] { small, large })
        {
            Console.WriteLine(
                $"{f.Cluster,-22} {f.SubmitSeconds * 1e6 / f.Tasks,15:F2} {f.DrainSeconds * 1e6 / f.Tasks,21:F2} {f.MicrosecondsPerTask,14:F2} {f.BytesPerTask,16:N0} {f.LossMilliseconds,13:F1} {f.Requeued,9:N0} {f.RejoinMilliseconds,10:F1}");
        }

        Console.WriteLine($"cost per task, large / small: {large.MicrosecondsPerTask / small.MicrosecondsPerTask:F2}× (target <= 2×)");
    }

    private static Figures Measure(int nodeCount, int workersPerNode, int tasks, int clients)
    {
        var scheduler = new ClusterScheduler();
        var cores = Enumerable.Range(0, workersPerNode).ToArray();
        var nodes = new List<(int Index, SimulatedNode Channel)>(nodeCount);
        for (var n = 0; n < nodeCount; n++)
        {
            var channel = new SimulatedNode($"node-{n}", workersPerNode);
            var index = scheduler.AddNode(channel, cores);
            for (var w = 0; w < workersPerNode; w++)
            {
                scheduler.WorkerReady(index, w);
            }

            nodes.Add((index, channel));
        }

        var observers = Enumerable.Range(0, clients).Select(_ => new CountingClient()).ToArray();
        var args = ByteString.CopyFrom("[1]"u8);

        // Submitted in batches, the clients taking turns, as clients streaming task files do.
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        for (var first = 0; first < tasks; first += SubmitBatch)
        {
            var count = Math.Min(SubmitBatch, tasks - first);
            var batch = new SubmittedTaskSpec[count];
            for (var i = 0; i < count; i++)
            {
                batch[i] = new SubmittedTaskSpec
                {
                    Name = "noop",
                    Cores = 1,
                    Retries = 1, // The tasks running on the lost node run again.
                    Tag = first + i,
                    Assignment = new TaskAssignment { Method = new MethodCall { Name = "FuncExec.Bench.Jobs.Noop" }, ArgsJson = args },
                };
            }

            scheduler.Submit(batch, observers[first / SubmitBatch % clients]);
        }

        var submitSeconds = clock.Elapsed.TotalSeconds;
        var bytesPerTask = (GC.GetTotalMemory(forceFullCollection: true) - before) / (double)tasks;

        // A node is lost with everything submitted: what it held goes back to the queue and is placed again.
        var lostIndex = nodes[0].Index;
        var requeued = nodes[0].Channel.Held;
        clock.Restart();
        scheduler.RemoveNode(lostIndex, "lost in the benchmark");
        var lossMilliseconds = clock.Elapsed.TotalMilliseconds;
        nodes.RemoveAt(0);
        var replacement = new SimulatedNode("replacement", workersPerNode);
        clock.Restart();
        var replacementIndex = scheduler.AddNode(replacement, cores);
        for (var w = 0; w < workersPerNode; w++)
        {
            scheduler.WorkerReady(replacementIndex, w);
        }

        var rejoinMilliseconds = clock.Elapsed.TotalMilliseconds;
        nodes.Add((replacementIndex, replacement));

        clock.Restart();
        Drain(scheduler, nodes, () => observers.Sum(o => o.Finished), tasks);
        var drainSeconds = clock.Elapsed.TotalSeconds;
        var reported = observers.Sum(o => o.Finished);
        if (reported != tasks || observers.Any(o => o.Failed > 0))
        {
            throw new InvalidOperationException($"{reported} of {tasks} tasks were reported, {observers.Sum(o => o.Failed)} not succeeded");
        }

        return new Figures($"{nodeCount:N0} × {workersPerNode} workers", tasks, submitSeconds, drainSeconds, bytesPerTask, lossMilliseconds, requeued, rejoinMilliseconds);
    }

    /// <summary>Answers every task handed to a worker, a batch per worker in turn, until all are reported.</summary>
    private static void Drain(ClusterScheduler scheduler, List<(int Index, SimulatedNode Channel)> nodes, Func<int> reported, int tasks)
    {
        var results = new TaskResult[ResultBatch];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = new TaskResult
            {
                Outcome = TaskOutcome.Succeeded,
                ResultJson = ByteString.CopyFrom("1"u8),
                StartedUnixUs = 1_700_000_000_000_000,
                FinishedUnixUs = 1_700_000_000_000_010,
            };
        }

        long answered = 0;
        while (reported() < tasks)
        {
            var before = answered;
            foreach (var (index, node) in nodes)
            {
                for (var worker = 0; worker < node.Handed.Length; worker++)
                {
                    var returned = node.TakeReturned(worker);
                    if (returned.Count > 0)
                    {
                        scheduler.TasksReturned(index, worker, returned);
                    }

                    var handed = node.Handed[worker];
                    var count = Math.Min(ResultBatch, handed.Count);
                    if (count == 0)
                    {
                        continue;
                    }

                    for (var i = 0; i < count; i++)
                    {
                        results[i].TaskId = handed[i].TaskId;
                        results[i].Attempt = handed[i].Attempt;
                    }

                    handed.RemoveRange(0, count);
                    scheduler.OnResults(index, worker, new ArraySegment<TaskResult>(results, 0, count));
                    answered += count;
                }
            }

            if (answered == before)
            {
                throw new InvalidOperationException($"{reported():N0} of {tasks:N0} tasks were reported and the scheduler hands out no more");
            }
        }
    }

    /// <summary>A node that notes, per worker, the tasks it is handed (and taken back) in order, and nothing else.</summary>
    private sealed class SimulatedNode(string name, int workers) : INodeChannel
    {
        private readonly List<long>[] _returned = [.. Enumerable.Range(0, workers).Select(_ => new List<long>())];

        public string NodeName => name;

        public List<(long TaskId, int Attempt)>[] Handed { get; } = [.. Enumerable.Range(0, workers).Select(_ => new List<(long, int)>())];

        public int Held => Handed.Sum(h => h.Count);

        public void Assign(int workerId, IReadOnlyList<TaskAssignment> tasks)
        {
            foreach (var task in tasks)
            {
                Handed[workerId].Add((task.TaskId, task.Attempt));
            }
        }

        /// <summary>A task taken back: the worker drops it and says so, as a node does.</summary>
        public void Revoke(int workerId, long taskId, int attempt)
        {
            if (Handed[workerId].RemoveAll(h => h.TaskId == taskId && h.Attempt == attempt) > 0)
            {
                _returned[workerId].Add(taskId);
            }
        }

        public List<long> TakeReturned(int workerId)
        {
            var returned = _returned[workerId];
            if (returned.Count == 0)
            {
                return returned;
            }

            _returned[workerId] = [];
            return returned;
        }

        public void Kill(int workerId, long taskId, int attempt) => throw new InvalidOperationException("nothing is killed in this benchmark");

        public void Cancel(int workerId, long taskId, int attempt, TimeSpan grace) => throw new InvalidOperationException("nothing is cancelled in this benchmark");

        public void Deliver(int workerId, TaskMessage message) => throw new InvalidOperationException("no message is sent in this benchmark");

        public void Acknowledge(int workerId, MessageAck ack) => throw new InvalidOperationException("no message is sent in this benchmark");

        public void Computation(NodeComputation computation)
        {
            // Only tasks outside computations are submitted here.
        }
    }

    /// <summary>A client that counts its reports.</summary>
    private sealed class CountingClient : ITaskObserver
    {
        public int Finished { get; private set; }

        public int Failed { get; private set; }

        public void OnFinished(IReadOnlyList<FinishedTask> finished)
        {
            Finished += finished.Count;
            foreach (var (_, report) in finished)
            {
                if (report.State != TaskState.Succeeded)
                {
                    Failed++;
                }
            }
        }
    }
}
