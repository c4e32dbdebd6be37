using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using FuncExec.Core.Tasks;
using FuncExec.Core.Functions.Internal;

namespace FuncExec.Core.Tests.Tasks;

/// <summary>A runtime in memory: records what its task sends and reports, and feeds it messages.</summary>
internal sealed class FakeTaskRuntime : TaskRuntime
{
    private readonly Channel<TaskMessage<ReadOnlyMemory<byte>>> _inbox = Channel.CreateUnbounded<TaskMessage<ReadOnlyMemory<byte>>>();

    public FakeTaskRuntime(long taskId = 7, long computation = 3, CancellationToken cancellationToken = default)
    {
        Context = CreateContext(taskId, computation, attempt: 1, cores: [0], directory: "/tmp", cancellationToken);
    }

    public TaskContext Context { get; }

    public ConcurrentQueue<(long To, string Json)> Sent { get; } = new();

    public ConcurrentQueue<(double Fraction, string Message)> Progress { get; } = new();

    /// <summary>What a send is answered with: null delivers, anything else is the scheduler's refusal.</summary>
    public string? Refusal { get; set; }

    public void Post(long from, string json) => _inbox.Writer.TryWrite(new(from, Encoding.UTF8.GetBytes(json)));

    // Protected internal here only because this assembly sees Core's internals; elsewhere it is protected.
    protected internal override TaskContext? Current => Context;

    protected internal override Task SendAsync(TaskContext sender, long toTask, byte[] payloadJson, CancellationToken cancellationToken)
    {
        Sent.Enqueue((toTask, Encoding.UTF8.GetString(payloadJson)));
        return Refusal is null ? Task.CompletedTask : Task.FromException(new MessageNotDeliveredException(toTask, Refusal));
    }

    protected internal override ValueTask<TaskMessage<ReadOnlyMemory<byte>>> ReceiveAsync(TaskContext receiver, CancellationToken cancellationToken) =>
        _inbox.Reader.ReadAsync(cancellationToken);

    protected internal override System.Text.Json.JsonSerializerOptions JsonOptionsFor(Type type) => FunctionJson.OptionsFor(type);

    protected internal override void ReportProgress(TaskContext sender, double fraction, string message) => Progress.Enqueue((fraction, message));
}
