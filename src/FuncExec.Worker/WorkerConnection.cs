using System.Buffers;
using System.Net.Sockets;
using FuncExec.Protocol;
using FuncExec.Protocol.Framing;
using FuncExec.Protocol.V1;

namespace FuncExec.Worker;

/// <summary>The worker's end of its node's local socket: blocking reads by one thread at a time (the executing thread
/// while it is idle, the watching thread while a task runs; see <see cref="WorkerLoop"/>), writes from any thread under
/// a lock.</summary>
internal sealed class WorkerConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly SocketInput _input;
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private readonly Lock _writeLock = new();
    private byte[] _readBuffer = new byte[64 * 1024];

    private WorkerConnection(Socket socket)
    {
        _socket = socket;
        _input = new SocketInput(socket, 64 * 1024);
    }

    public static WorkerConnection Connect(WorkerOptions options)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(options.NodeSocket));
        var connection = new WorkerConnection(socket);
        connection.Send(new WorkerEnvelope
        {
            Hello = new WorkerHello
            {
                ProtocolVersion = ProtocolVersion.Current,
                WorkerId = options.WorkerId,
                Pid = Environment.ProcessId,
            },
        });
        return connection;
    }

    public Socket Socket => _socket;

    /// <summary>True when bytes were read from the socket and not yet taken as frames.</summary>
    public bool HasBuffered => _input.HasBuffered;

    /// <summary>True when <see cref="Receive"/> would not block for its first bytes: buffered, waiting in the socket,
    /// or the socket's end.</summary>
    public bool HasPending => _input.HasPending;

    /// <summary>The next frame, or null when the node closed the socket.</summary>
    public WorkerEnvelope? Receive() => FrameCodec.Read(_input, WorkerEnvelope.Parser, ref _readBuffer);

    public void Send(WorkerEnvelope envelope)
    {
        lock (_writeLock)
        {
            _output.ResetWrittenCount();
            FrameCodec.Write(_output, envelope);
            _socket.Send(_output.WrittenSpan);
        }
    }

    public void Dispose()
    {
        _input.Dispose();
        _socket.Dispose();
    }
}
