using FuncExec.Node.Components;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace FuncExec.Server.Sessions;

/// <summary>The scheduler's way to a node over its connection. Components a batch needs are sent
/// ahead of it, once per node, on the same ordered connection, in pieces of at most
/// <see cref="ComponentReceiver.ChunkSize"/> (<see cref="ComponentChunk"/>), never as one frame.</summary>
internal sealed class RemoteNodeChannel : INodeChannel
{
    private readonly FrameConnection _connection;
    private readonly ComponentStore _components;
    private readonly ILogger _logger;
    private readonly HashSet<string> _sent = new(StringComparer.Ordinal);

    public RemoteNodeChannel(string nodeName, FrameConnection connection, ComponentStore components, ILogger logger)
    {
        NodeName = nodeName;
        _connection = connection;
        _components = components;
        _logger = logger;
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
            message.Tasks.Add(task.CopyForAttempt());
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
    /// <remarks>The reference was checked when the client gave it; <see cref="ComponentStore.Contains"/> checks it
    /// again, so nothing but a file the store wrote is ever read here.</remarks>
    private void Upload(ComponentRef component)
    {
        if (_sent.Contains(component.Sha256))
        {
            // Sent already: the store on disk is not looked at again for every batch that needs it (its checks cost
            // path walks and readlink calls under the scheduler's lock, per batch); its use still counts for eviction.
            _components.MarkUsed(component);
            return;
        }

        if (!_components.Contains(component))
        {
            return;
        }

        _sent.Add(component.Sha256);

        try
        {
            var buffer = new byte[ComponentReceiver.ChunkSize];
            foreach (var (name, path) in _components.BundleFiles(component))
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 1);
                var size = file.Length;
                long offset = 0;
                do
                {
                    var read = (int)Math.Min(buffer.Length, size - offset);
                    file.ReadExactly(buffer, 0, read);
                    _connection.Post(new ClusterEnvelope
                    {
                        ComponentChunk = new ComponentChunk { Component = component, Name = name, Offset = offset, FileSize = size, Data = ByteString.CopyFrom(buffer, 0, read) },
                    });
                    offset += read;
                }
                while (offset < size);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // Evicted or removed meanwhile: the end piece below is then incomplete and the node refuses it.
            ServerLog.ComponentNotSent(_logger, NodeName, component.FileName, ex.Message);
        }

        _connection.Post(new ClusterEnvelope { ComponentChunk = new ComponentChunk { Component = component, End = true } });
    }
}
