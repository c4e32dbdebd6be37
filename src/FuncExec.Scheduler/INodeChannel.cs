using FuncExec.Protocol.V1;

namespace FuncExec.Scheduler;

/// <summary>The scheduler's way to a node.</summary>
internal interface INodeChannel
{
    /// <summary>The node's name, shown in worker names (<c>node/worker-N</c>).</summary>
    string NodeName { get; }

    /// <summary>
    /// Hands tasks to one worker, to run in this order after those handed before. Called under
    /// the scheduler's lock so batches for a worker keep their order: it must not block for long
    /// and must not call back into the scheduler.
    /// </summary>
    void Assign(int workerId, IReadOnlyList<TaskAssignment> tasks);

    /// <summary>
    /// Asks a worker to give back a task it holds but has not started; if it can, the node
    /// answers with <see cref="ClusterScheduler.TasksReturned"/>. Same rules as <see cref="Assign"/>.
    /// </summary>
    void Revoke(int workerId, long taskId, int attempt);

    /// <summary>
    /// Kills a task the worker holds: its process if the task is running (the node reports it
    /// <c>Killed</c> and replaces the worker), or takes it back unstarted and reports it
    /// <c>Killed</c>. A task that finished first is reported as it finished. Same rules as <see cref="Assign"/>.
    /// </summary>
    void Kill(int workerId, long taskId, int attempt);

    /// <summary>
    /// Cancels a task the worker holds: a queued one is dropped and reported <c>Cancelled</c>; a
    /// running one has its cancellation token signalled and, if it still runs after
    /// <paramref name="grace"/>, is killed (reported <c>Killed</c>). A task that finished first is
    /// reported as it finished. Same rules as <see cref="Assign"/>.
    /// </summary>
    void Cancel(int workerId, long taskId, int attempt, TimeSpan grace);

    /// <summary>Hands a message to a task the worker holds (queued or running). Same rules as <see cref="Assign"/>.</summary>
    void Deliver(int workerId, TaskMessage message);

    /// <summary>Answers a message a task on this worker sent. Same rules as <see cref="Assign"/>.</summary>
    void Acknowledge(int workerId, MessageAck ack);

    /// <summary>A computation opened (its components are in the node's reach: put them in its
    /// folder) or closed (its workers unload it). Sent before any task of it. Same rules as <see cref="Assign"/>.</summary>
    void Computation(NodeComputation computation);
}
