using FuncExec.Node;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;

namespace FuncExec.Client.Internal;

/// <summary>The scheduler's commands to a node in the same process: plain calls on the <see cref="LocalNode"/>.</summary>
/// <remarks>It lives here, beside <see cref="EmbeddedSchedulerLink"/>, so that the node knows nothing of the scheduler.</remarks>
internal sealed class EmbeddedNodeChannel(LocalNode node) : INodeChannel
{
    public string NodeName => node.NodeName;

    public void Assign(int workerId, IReadOnlyList<TaskAssignment> tasks) => node.Assign(workerId, tasks);

    public void Revoke(int workerId, long taskId, int attempt) => node.Revoke(workerId, taskId, attempt);

    public void Kill(int workerId, long taskId, int attempt) => node.Kill(workerId, taskId, attempt);

    public void Cancel(int workerId, long taskId, int attempt, TimeSpan grace) => node.Cancel(workerId, taskId, attempt, grace);

    public void Deliver(int workerId, TaskMessage message) => node.Deliver(workerId, message);

    public void Acknowledge(int workerId, MessageAck ack) => node.Acknowledge(workerId, ack);

    public void Computation(NodeComputation computation) => node.Computation(computation);
}
