using FuncExec.Node.Components;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;

namespace FuncExec.Server.Sessions;

/// <summary>The scheduler's way to a node over its connection. Components a batch needs are sent
/// ahead of it, once per node, on the same ordered connection.</summary>
internal sealed class RemoteNodeChannel : INodeChannel
{
    private readonly FrameConnection _connection;
    private readonly ComponentStore _components;
    private readonly HashSet<string> _sent = new(StringComparer.Ordinal);

    public RemoteNodeChannel(string nodeName, FrameConnection connection, ComponentStore components)
    {
        NodeName = nodeName;
        _connection = connection;
        _components = components;
    }

    public string NodeName { get; }

    public void Assign(int workerId, IReadOnlyList<TaskAssignment> tasks)
    {
        var message = new NodeAssign { WorkerId = workerId };
        foreach (var task in tasks)
        {
            if (task.NeededComponent is { } component)
            {
                Upload(component);
            }

            // Serialized later by the connection's writer: the scheduler may reuse the
            // assignment for a retry meanwhile, so the node gets a copy of this attempt.
            message.Tasks.Add(task.Clone());
        }

        _connection.Post(new ClusterEnvelope { NodeAssign = message });
    }

    public void Kill(int workerId, long taskId, int attempt) =>
        _connection.Post(new ClusterEnvelope { NodeKill = new NodeKill { WorkerId = workerId, TaskId = taskId, Attempt = attempt } });

    public void Revoke(int workerId, long taskId, int attempt) =>
        _connection.Post(new ClusterEnvelope { NodeRevoke = new NodeRevoke { WorkerId = workerId, TaskId = taskId, Attempt = attempt } });

    public void Cancel(int workerId, long taskId, int attempt, TimeSpan grace) =>
        _connection.Post(new ClusterEnvelope
        {
            NodeCancel = new NodeCancel { WorkerId = workerId, TaskId = taskId, Attempt = attempt, GraceMs = (long)grace.TotalMilliseconds },
        });

    public void Deliver(int workerId, TaskMessage message) =>
        _connection.Post(new ClusterEnvelope { NodeMessage = new NodeTaskMessage { WorkerId = workerId, Message = message } });

    public void Acknowledge(int workerId, MessageAck ack) =>
        _connection.Post(new ClusterEnvelope { NodeMessageAck = new NodeMessageAck { WorkerId = workerId, Ack = ack } });

    public void Computation(NodeComputation computation)
    {
        // Its files travel first, on the same ordered connection, so they are there when it opens.
        foreach (var component in computation.Components)
        {
            Upload(component);
        }

        _connection.Post(new ClusterEnvelope { NodeComputation = computation });
    }

    /// <summary>Sends a component (with the files stored beside it) unless this node has it already.</summary>
    private void Upload(ComponentRef component)
    {
        if (!_sent.Add(component.Sha256) || !_components.Contains(component))
        {
            return;
        }

        var upload = new ComponentUpload { Component = component };
        foreach (var (name, content) in _components.ReadBundle(component))
        {
            upload.Files.Add(new ComponentFile { Name = name, Content = Google.Protobuf.ByteString.CopyFrom(content) });
        }

        _connection.Post(new ClusterEnvelope { Component = upload });
    }
}
