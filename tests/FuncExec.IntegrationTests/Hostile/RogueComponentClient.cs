using System.Buffers;
using System.Net.Sockets;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Framing;
using FuncExec.Protocol.V1;

namespace FuncExec.IntegrationTests.Hostile;

/// <summary>
/// A client that knows the secret and speaks the real protocol, frame by frame, to send what the client library
/// never would: component references that are paths, and uploads by the hundred.
/// </summary>
internal sealed class RogueComponentClient : IAsyncDisposable
{
    // A bound on waiting for an answer, so a scheduler that never answers fails the test instead of hanging it.
    private static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(60);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private long _request;

    private RogueComponentClient(Socket socket, NetworkStream stream)
    {
        _socket = socket;
        _stream = stream;
    }

    public static async Task<RogueComponentClient> ConnectAsync(string address, string secret, string name = "rogue")
    {
        var port = int.Parse(address.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port);
        var stream = new NetworkStream(socket, ownsSocket: false);
        await Handshake.ConnectAsync(stream, PeerRole.Client, name, new TransportSecurity(secret), TimeSpan.FromSeconds(30));
        return new RogueComponentClient(socket, stream);
    }

    public void Send(ClusterEnvelope envelope)
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameCodec.Write(buffer, envelope);
        _stream.Write(buffer.WrittenSpan);
    }

    /// <summary>Opens a computation naming <paramref name="components"/> and returns the scheduler's answer.</summary>
    public async Task<ComputationOpened> OpenAsync(params ComponentRef[] components)
    {
        var open = new OpenComputation { Request = ++_request, Name = "rogue" };
        open.Components.AddRange(components);
        Send(new ClusterEnvelope { OpenComputation = open });
        return (await NextAsync(e => e.ComputationOpened?.Request == open.Request)).ComputationOpened;
    }

    /// <summary>Submits one task calling a method of <paramref name="assembly"/> and returns the scheduler's answer.</summary>
    public async Task<ClusterEnvelope> SubmitAsync(ComponentRef assembly)
    {
        var submit = new SubmitTasks { Request = ++_request };
        submit.Tasks.Add(new SubmittedTaskSpec
        {
            Name = "rogue-task",
            Cores = 1,
            Assignment = new TaskAssignment { Method = new MethodCall { Name = "System.Math.Max", Assembly = assembly } },
        });
        Send(new ClusterEnvelope { Submit = submit });
        return await NextAsync(e => e.SubmitRefused?.Request == submit.Request || e.SubmitAccepted?.Request == submit.Request);
    }

    /// <summary>The next frame that <paramref name="wanted"/> picks, answering pulses on the way.</summary>
    public async Task<ClusterEnvelope> NextAsync(Func<ClusterEnvelope, bool> wanted)
    {
        using var timeout = new CancellationTokenSource(AnswerWait);
        while (true)
        {
            var envelope = await FrameReader.ReadAsync(_stream, ClusterEnvelope.Parser, cancellationToken: timeout.Token)
                ?? throw new EndOfStreamException("the scheduler closed the connection");
            if (envelope.BodyCase == ClusterEnvelope.BodyOneofCase.Pulse)
            {
                Send(new ClusterEnvelope { Pulse = new Pulse() });
            }
            else if (wanted(envelope))
            {
                return envelope;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
