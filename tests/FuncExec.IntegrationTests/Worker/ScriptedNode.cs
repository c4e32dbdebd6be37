using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Channels;
using FuncExec.Core.Platform;
using FuncExec.Node;
using FuncExec.Node.Components;
using FuncExec.Node.Workers;
using FuncExec.Protocol.Framing;
using FuncExec.Protocol.V1;
using Google.Protobuf;

namespace FuncExec.IntegrationTests.Worker;

/// <summary>
/// Plays a node towards one real worker process over its local socket: the test sends the frames a node
/// would and reads what the worker answers, frame by frame.
/// </summary>
internal sealed class ScriptedNode : IAsyncDisposable
{
    // A bound on waiting for a frame, so a broken worker fails the test instead of hanging it.
    private static readonly TimeSpan FrameWait = TimeSpan.FromSeconds(60);

    private readonly DirectoryInfo _root;
    private readonly Socket _listener;
    private readonly Process _process;
    private readonly Socket _socket;
    private readonly Channel<WorkerEnvelope> _frames = Channel.CreateUnbounded<WorkerEnvelope>();
    private readonly List<TaskResult> _results = [];
    private readonly Lock _writeLock = new();

    private ScriptedNode(DirectoryInfo root, Socket listener, Process process, Socket socket, ComponentStore store)
    {
        _root = root;
        _listener = listener;
        _process = process;
        _socket = socket;
        Store = store;
        _ = Task.Run(ReadLoop);
    }

    public ComponentStore Store { get; }

    /// <summary>Every frame read so far, in order, results included.</summary>
    public List<WorkerEnvelope> Seen { get; } = [];

    public static string JobsPath => Path.Combine(AppContext.BaseDirectory, "FuncExec.TestJobs.dll");

    /// <summary>Starts the worker, with <paramref name="options"/>' worker environment when given.</summary>
    public static async Task<ScriptedNode> StartAsync(NodeOptions? options = null)
    {
        var root = Directory.CreateTempSubdirectory("funcexec-worker-test-");
        var store = new ComponentStore(Path.Combine(root.FullName, "components"));
        var socketPath = Path.Combine(root.FullName, "node.sock");
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);
        var process = WorkerLauncher.StartRelayed(0, [CpuAffinity.AvailableCores()[0]], socketPath, store.Root, options ?? NodeOptions.Default, static _ => { }, static _ => { });
        using var accepting = new CancellationTokenSource(FrameWait);
        var socket = await listener.AcceptAsync(accepting.Token);
        var node = new ScriptedNode(root, listener, process, socket, store);
        var hello = await node.NextAsync();
        Assert.Equal(WorkerEnvelope.BodyOneofCase.Hello, hello.BodyCase);
        return node;
    }

    /// <summary>The files folder of a computation, created as the node creates it before its first task.</summary>
    public string ComputationFolder(long computation)
    {
        var folder = Path.Combine(_root.FullName, "computations", computation.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        return folder;
    }

    public void Send(WorkerEnvelope envelope)
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameCodec.Write(buffer, envelope);
        lock (_writeLock)
        {
            _socket.Send(buffer.WrittenSpan);
        }
    }

    /// <summary>Sends <paramref name="envelopes"/> in one write, so the worker finds them in one read.</summary>
    public void SendTogether(params WorkerEnvelope[] envelopes)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var envelope in envelopes)
        {
            FrameCodec.Write(buffer, envelope);
        }

        lock (_writeLock)
        {
            _socket.Send(buffer.WrittenSpan);
        }
    }

    public void Assign(params TaskAssignment[] tasks)
    {
        var assign = new AssignTasks();
        assign.Tasks.Add(tasks);
        Send(new WorkerEnvelope { Assign = assign });
    }

    public void Message(long toTask, string json) =>
        Send(new WorkerEnvelope { Message = new TaskMessage { ToTask = toTask, PayloadJson = ByteString.CopyFromUtf8(json) } });

    public void Cancel(long taskId, int attempt = 1) => Send(new WorkerEnvelope { Cancel = new Cancel { TaskId = taskId, Attempt = attempt } });

    /// <summary>The next frame that is not a results batch (results are kept for <see cref="ResultAsync"/>).</summary>
    public async Task<WorkerEnvelope> NextAsync()
    {
        while (true)
        {
            using var waiting = new CancellationTokenSource(FrameWait);
            var frame = await _frames.Reader.ReadAsync(waiting.Token);
            Seen.Add(frame);
            if (frame.BodyCase == WorkerEnvelope.BodyOneofCase.Results)
            {
                _results.AddRange(frame.Results.Results);
                continue;
            }

            return frame;
        }
    }

    /// <summary>The next frame of <paramref name="kind"/>, skipping others.</summary>
    public async Task<WorkerEnvelope> NextAsync(WorkerEnvelope.BodyOneofCase kind)
    {
        while (true)
        {
            var frame = await NextAsync();
            if (frame.BodyCase == kind)
            {
                return frame;
            }
        }
    }

    /// <summary>The result of <paramref name="taskId"/>, reading frames until it comes.</summary>
    public async Task<TaskResult> ResultAsync(long taskId)
    {
        while (true)
        {
            if (_results.Find(r => r.TaskId == taskId) is { } result)
            {
                return result;
            }

            using var waiting = new CancellationTokenSource(FrameWait);
            var frame = await _frames.Reader.ReadAsync(waiting.Token);
            Seen.Add(frame);
            if (frame.BodyCase == WorkerEnvelope.BodyOneofCase.Results)
            {
                _results.AddRange(frame.Results.Results);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            Send(new WorkerEnvelope { Shutdown = new Shutdown() });
            using var exiting = new CancellationTokenSource(FrameWait);
            await _process.WaitForExitAsync(exiting.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _socket.Dispose();
        _listener.Dispose();
        _process.Dispose();
        _root.Delete(recursive: true);
    }

    private void ReadLoop()
    {
        using var stream = new NetworkStream(_socket, ownsSocket: false);
        var buffer = new byte[64 * 1024];
        try
        {
            while (FrameCodec.Read(stream, WorkerEnvelope.Parser, ref buffer) is { } frame)
            {
                _frames.Writer.TryWrite(frame);
            }
        }
        catch (IOException ex)
        {
            // The worker is gone: a test waiting for a frame fails with this.
            _frames.Writer.TryComplete(ex);
            return;
        }

        _frames.Writer.TryComplete();
    }
}
