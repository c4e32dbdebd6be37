using FuncExec.Protocol.V1;

namespace FuncExec.Scheduler.Tests;

/// <summary>A node that records what it was handed, per worker, in order.</summary>
internal sealed class RecordingNode : INodeChannel
{
    public RecordingNode(int workers)
    {
        Assigned = [.. Enumerable.Range(0, workers).Select(_ => new List<TaskAssignment>())];
    }

    public string NodeName => "test";

    public List<List<TaskAssignment>> Assigned { get; }

    public List<long> AllInOrder { get; } = [];

    public List<(int Worker, long TaskId)> Revoked { get; } = [];

    public void Revoke(int workerId, long taskId, int attempt) => Revoked.Add((workerId, taskId));

    public List<(int Worker, long TaskId)> Killed { get; } = [];

    public void Kill(int workerId, long taskId, int attempt) => Killed.Add((workerId, taskId));

    public List<(int Worker, long TaskId, TimeSpan Grace)> Cancelled { get; } = [];

    public void Cancel(int workerId, long taskId, int attempt, TimeSpan grace) => Cancelled.Add((workerId, taskId, grace));

    public List<(int Worker, TaskMessage Message)> Delivered { get; } = [];

    public void Deliver(int workerId, TaskMessage message) => Delivered.Add((workerId, message));

    public List<(int Worker, MessageAck Ack)> Acks { get; } = [];

    public void Acknowledge(int workerId, MessageAck ack) => Acks.Add((workerId, ack));

    public List<NodeComputation> Computations { get; } = [];

    public void Computation(NodeComputation computation) => Computations.Add(computation);

    public void Assign(int workerId, IReadOnlyList<TaskAssignment> tasks)
    {
        foreach (var task in tasks)
        {
            // The scheduler reuses an assignment across attempts: keep what was sent.
            Assigned[workerId].Add(task.Clone());
            AllInOrder.Add(task.TaskId);
        }
    }
}
