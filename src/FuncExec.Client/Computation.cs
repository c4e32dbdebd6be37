using System.Buffers;
using System.Linq.Expressions;
using System.Text.Json;
using FuncExec.Client.Internal;
using FuncExec.Core.Functions.Lambdas;
using FuncExec.Core.Tasks;
using FuncExec.Protocol;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;
using Google.Protobuf;

namespace FuncExec;

/// <summary>
/// A unit of work on a cluster: the components it shipped to the nodes and the tasks it runs.
/// Open one with <see cref="ICluster.ScheduleAsync"/>; close it (or dispose it) when done.
/// </summary>
/// <remarks>
/// <para>Calls are written as lambdas whose body is one call to a public static method:
/// <c>() =&gt; Jobs.Flops(n, 2048)</c>. Its arguments are evaluated here, when the task is
/// submitted, and sent as JSON; the method's assembly is shipped to the nodes if they lack it.
/// A lambda that takes a <c>TaskContext</c>, <c>ctx =&gt; Jobs.Echo(ctx, 3)</c>, gives the
/// method the task's context (messages, progress, cancellation token).</para>
/// <para>Closing kills the tasks still running and drops those still queued.</para>
/// </remarks>
public sealed partial class Computation : IAsyncDisposable
{
    private readonly IClusterBackend _backend;
    private readonly ICluster _cluster;
    private int _closed;

    internal Computation(ICluster cluster, IClusterBackend backend, long id, string name, ComputationOptions options)
    {
        _cluster = cluster;
        _backend = backend;
        Id = id;
        Name = name;
        Options = options;
    }

    /// <summary>The scheduler's id for it.</summary>
    public long Id { get; }

    /// <summary>Its name.</summary>
    public string Name { get; }

    /// <summary>The options it was opened with.</summary>
    public ComputationOptions Options { get; }

    /// <summary>Whether it holds every worker while open.</summary>
    public bool Exclusive => Options.Exclusive;

    /// <summary>Runs a named method, a code string or a command (see <see cref="TaskSpec"/>'s factories) and returns its result as <typeparamref name="T"/>.</summary>
    /// <exception cref="TaskFailedException">The task failed; the remote exception is inside.</exception>
    public async Task<T> RunAsync<T>(TaskSpec task, CancellationToken cancellationToken = default) =>
        await (await SubmitAsync<T>(task, cancellationToken).ConfigureAwait(false)).Result.ConfigureAwait(false);

    /// <summary>Submits a named method, a code string or a command (see <see cref="TaskSpec"/>'s factories).</summary>
    public async Task<RemoteTask<T>> SubmitAsync<T>(TaskSpec task, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        TaskReport? refused = null;
        var prepared = _backend.Preparer.Prepare([task], (_, report) => refused = report);
        if (refused is not null)
        {
            throw new TaskFailedException(refused);
        }

        var handle = new RemoteTask<T>(_backend, task.Name) { RequestTimeout = Options.Timeout };
        await SubmitManyAsync(prepared, [handle], cancellationToken).ConfigureAwait(false);
        return handle;
    }

    /// <summary>The nodes of the cluster now.</summary>
    public Task<IReadOnlyList<NodeInfo>> NodesAsync(CancellationToken cancellationToken = default) => _cluster.NodesAsync(cancellationToken);

    /// <summary>The workers of the cluster now.</summary>
    public Task<IReadOnlyList<WorkerInfo>> WorkersAsync(CancellationToken cancellationToken = default) => _cluster.WorkersAsync(cancellationToken);

    /// <summary>This computation's events from now on (its tasks queued, started and finished, its scheduling and closing),
    /// and every node and worker event.</summary>
    public IAsyncEnumerable<ClusterEvent> StatusAsync(CancellationToken cancellationToken = default) =>
        EventStream.Open(_backend, Id, cancellationToken);

    /// <summary>Closes the computation: running tasks are killed, queued ones dropped, and every node
    /// unloads its assemblies and deletes its folder. The next exclusive computation gets the workers.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            await Requests.AnsweredAsync(_backend.CloseComputationAsync(Id, cancellationToken), Options.Timeout, $"closing computation {Id}", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Same as <see cref="CloseAsync"/>.</summary>
    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);

    private async Task<RemoteTask<T>> SubmitValueAsync<T>(LambdaExpression call, TaskOptions? options, Target target, CancellationToken cancellationToken)
    {
        var task = Build(LambdaCapture.Capture(call), options, target);
        var handle = new RemoteTask<T>(_backend, task.Name) { RequestTimeout = Options.Timeout };
        await SubmitManyAsync([task], [handle], cancellationToken).ConfigureAwait(false);
        return handle;
    }

    private async Task<RemoteTask> SubmitVoidAsync(LambdaExpression call, TaskOptions? options, Target target, CancellationToken cancellationToken)
    {
        var task = Build(LambdaCapture.Capture(call), options, target);
        var handle = new RemoteTask(_backend, task.Name) { RequestTimeout = Options.Timeout };
        await SubmitManyAsync([task], [handle], cancellationToken).ConfigureAwait(false);
        return handle;
    }

    /// <summary>Submits many calls (each its own method and arguments) in one submission, each on the least loaded
    /// worker: one frame to the scheduler however many there are.</summary>
    /// <returns>The handles, in the order of <paramref name="calls"/>.</returns>
    /// <exception cref="LambdaNotSupportedException">A lambda is not a call to a public static method; nothing was submitted.</exception>
    public Task<IReadOnlyList<RemoteTask<T>>> SubmitAllAsync<T>(IEnumerable<Expression<Func<T>>> calls, TaskOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(calls);
        return SubmitBatchAsync<T>(calls.Select(call => ((LambdaExpression)call, Target.Anywhere)), options, cancellationToken);
    }

    /// <summary>Submits many calls in one submission, each on the worker paired with it.</summary>
    /// <returns>The handles, in the order of <paramref name="calls"/>.</returns>
    /// <exception cref="LambdaNotSupportedException">A lambda is not a call to a public static method; nothing was submitted.</exception>
    public Task<IReadOnlyList<RemoteTask<T>>> SubmitAllAtAsync<T>(
        IEnumerable<(WorkerInfo Worker, Expression<Func<T>> Call)> calls, TaskOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(calls);
        return SubmitBatchAsync<T>(calls.Select(pair => ((LambdaExpression)pair.Call, Target.Of(pair.Worker))), options, cancellationToken);
    }

    private async Task<IReadOnlyList<RemoteTask<T>>> SubmitBatchAsync<T>(IEnumerable<(LambdaExpression Call, Target Target)> calls, TaskOptions? options, CancellationToken cancellationToken)
    {
        var tasks = new List<SubmittedTaskSpec>();
        var handles = new List<RemoteTask<T>>();
        foreach (var (call, target) in calls)
        {
            var task = Build(LambdaCapture.Capture(call), options, target);
            tasks.Add(task);
            handles.Add(new RemoteTask<T>(_backend, task.Name) { RequestTimeout = Options.Timeout });
        }

        if (tasks.Count > 0)
        {
            await SubmitManyAsync(tasks, handles, cancellationToken).ConfigureAwait(false);
        }

        return handles;
    }

    /// <summary>One call, captured once, run at each target; results in target order.</summary>
    private async Task<IReadOnlyList<RemoteTask<T>>> SubmitEachAsync<T>(LambdaExpression call, IEnumerable<Target> targets, TaskOptions? options, CancellationToken cancellationToken)
    {
        var captured = LambdaCapture.Capture(call);
        var tasks = new List<SubmittedTaskSpec>();
        var handles = new List<RemoteTask<T>>();
        foreach (var target in targets)
        {
            var task = Build(captured, options, target);
            tasks.Add(task);
            handles.Add(new RemoteTask<T>(_backend, task.Name) { RequestTimeout = Options.Timeout });
        }

        await SubmitManyAsync(tasks, handles, cancellationToken).ConfigureAwait(false);
        return handles;
    }

    private async Task<IReadOnlyList<T>> RunEachAsync<T>(LambdaExpression call, IEnumerable<Target> targets, TaskOptions? options, CancellationToken cancellationToken)
    {
        var handles = await SubmitEachAsync<T>(call, targets, options, cancellationToken).ConfigureAwait(false);
        return await Task.WhenAll(handles.Select(h => h.Result)).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RunEachVoidAsync(LambdaExpression call, IEnumerable<Target> targets, TaskOptions? options, CancellationToken cancellationToken)
    {
        var handles = await SubmitEachAsync<object>(call, targets, options, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(handles.Select(h => h.WaitAsync(cancellationToken))).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<Target>> EachNodeAsync(CancellationToken cancellationToken) =>
        [.. (await NodesAsync(cancellationToken).ConfigureAwait(false)).Select(Target.Of)];

    private async Task<IReadOnlyList<Target>> EachWorkerAsync(NodeInfo? node, CancellationToken cancellationToken)
    {
        var nodes = node is null ? await NodesAsync(cancellationToken).ConfigureAwait(false) : [node];
        return [.. nodes.SelectMany(n => n.Workers).Select(Target.Of)];
    }

    /// <summary>The call once per item, the lambda's parameter replaced by the item, in chunks of items per task
    /// (see <see cref="TaskOptions.ChunkSize"/>); results in item order.</summary>
    private async Task<IReadOnlyList<T>> MapCoreAsync<TItem, T>(IEnumerable<TItem> items, LambdaExpression call, TaskOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var inputs = items as IReadOnlyList<TItem> ?? [.. items];
        if (inputs.Count == 0)
        {
            return [];
        }

        // Every item calls the same method; only the arguments differ. A chunk carries an array of them, written
        // straight from the items when the lambda passes its parameter as it is, else captured item by item.
        var template = LambdaCapture.TryCaptureMap<TItem>(call);
        var captured = template is null ? CaptureEach(inputs, call) : null;

        var chunk = options?.ChunkSize ?? await AutomaticChunkAsync(inputs.Count, cancellationToken).ConfigureAwait(false);
        if (chunk < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), chunk, "TaskOptions.ChunkSize must be at least 1");
        }

        ClientMetrics.MapItemsSubmitted(inputs.Count);
        // When no item can fail to be written (primitives through the template), the chunks go in groups as they are
        // written, the first ones small, so the workers start on them while the rest are written; otherwise every chunk
        // is written before any is sent, so that an item that cannot be sent fails the map with nothing run.
        var early = template is { WritesEveryItem: true };
        var submissions = new List<Task>();
        var tasks = new List<SubmittedTaskSpec>();
        var handles = new List<RemoteTask<T[]>>();
        var groupStart = 0;
        var groupBytes = 0;
        var groupLimit = FirstMapGroupBytes;
        var arguments = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(arguments);
        for (var start = 0; start < inputs.Count; start += chunk)
        {
            var count = Math.Min(chunk, inputs.Count - start);
            if (template is not null)
            {
                template.WriteChunk(arguments, writer, inputs, start, count);
            }
            else
            {
                arguments.ResetWrittenCount();
                writer.Reset(arguments);
                writer.WriteStartArray();
                for (var i = start; i < start + count; i++)
                {
                    writer.WriteRawValue(captured![i].ArgumentsJson, skipInputValidation: true);
                }

                writer.WriteEndArray();
                writer.Flush();
            }
            var first = template?.Call ?? captured![start];
            var task = Build(first with { ArgumentsJson = arguments.WrittenSpan.ToArray() }, options, Target.Anywhere, $"[{start}..{start + count - 1}]");
            task.Assignment.MapChunk = true;
            tasks.Add(task);
            handles.Add(new RemoteTask<T[]>(_backend, task.Name) { RequestTimeout = Options.Timeout });
            groupBytes += arguments.WrittenCount;
            if (early && groupBytes >= groupLimit && start + count < inputs.Count)
            {
                if (submissions.Exists(s => s.IsFaulted || s.IsCanceled))
                {
                    // An earlier group was refused: the rest is not sent, and the map fails with its reason, below.
                    groupStart = tasks.Count;
                    break;
                }

                submissions.Add(SubmitManyAsync(tasks[groupStart..], handles[groupStart..], cancellationToken));
                groupStart = tasks.Count;
                groupBytes = 0;
                groupLimit = Math.Min(2 * groupLimit, SubmitChunks.MaxChunkBytes);
            }
        }

        if (groupStart < tasks.Count)
        {
            submissions.Add(SubmitManyAsync(tasks[groupStart..], handles[groupStart..], cancellationToken));
        }

        await Task.WhenAll(submissions).ConfigureAwait(false);

        // Each chunk's results go straight to their place as the chunk ends; a chunk whose result is not as many
        // results as it had items fails the map, naming it.
        var results = new T[inputs.Count];
        var decoded = new Task[handles.Count];
        for (var c = 0; c < handles.Count; c++)
        {
            decoded[c] = MapResults.ReadAsync(handles[c], results, c * chunk, Math.Min(chunk, inputs.Count - (c * chunk)));
        }

        await Task.WhenAll(decoded).WaitAsync(cancellationToken).ConfigureAwait(false);
        return results;
    }

    // Each item's call captured on its own, the lambda's parameter replaced by the item: a lambda that uses the item
    // inside an expression (x => Jobs.F(x.Name)) evaluates it per item here.
    private static List<LambdaCall> CaptureEach<TItem>(IReadOnlyList<TItem> items, LambdaExpression call)
    {
        var parameter = call.Parameters[0];
        var calls = new List<LambdaCall>(items.Count);
        foreach (var item in items)
        {
            var body = new ParameterReplacer(parameter, Expression.Constant(item, typeof(TItem))).Visit(call.Body);
            calls.Add(LambdaCapture.Capture(Expression.Lambda(body)));
        }

        return calls;
    }

    /// <summary>The arguments in a map's first group of chunks sent ahead of the rest; each group after it is twice
    /// as big, up to a submission frame's worth.</summary>
    private const int FirstMapGroupBytes = 32 * 1024;

    /// <summary>Items ÷ (4 × workers), rounded up: a few chunks per worker, so the last ones balance; at most
    /// <see cref="TaskOptions.MaxAutomaticChunkSize"/>, so a long map streams through the workers in small chunks.</summary>
    private async Task<int> AutomaticChunkAsync(int items, CancellationToken cancellationToken)
    {
        var workers = Math.Max(1, (await WorkersAsync(cancellationToken).ConfigureAwait(false)).Count);
        return Math.Min(TaskOptions.MaxAutomaticChunkSize, (items + (4 * workers) - 1) / (4 * workers));
    }

    private sealed class ParameterReplacer(ParameterExpression parameter, Expression value) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == parameter ? value : base.VisitParameter(node);
    }

    private async Task SubmitManyAsync(List<SubmittedTaskSpec> tasks, IReadOnlyList<RemoteTask> handles, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _closed) != 0)
        {
            throw new ComputationClosedException($"computation {Id} ('{Name}') is closed; open another with ScheduleAsync");
        }

        var submittedAt = ClientMetrics.Submitted(tasks.Count);
        for (var i = 0; i < tasks.Count; i++)
        {
            // Read before the scheduler sees the task: the embedded one writes its own span's context in its place.
            handles[i].Trace = SubmitTracing.ContextOf(tasks[i]);
            handles[i].Submitted(submittedAt);
        }

        long[] ids;
        try
        {
            ids = await Requests.AnsweredAsync(
                _backend.SubmitAsync(Id, tasks, handles, cancellationToken), Options.Timeout, $"a submission of {tasks.Count} tasks", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The caller gets no handle: none of these reports will be seen.
            foreach (var handle in handles)
            {
                handle.Abandon();
            }

            throw;
        }
        for (var i = 0; i < ids.Length; i++)
        {
            _backend.Handles.Register(ids[i], handles[i]);
        }
    }

    private SubmittedTaskSpec Build(LambdaCall call, TaskOptions? options, Target target, string nameSuffix = "")
    {
        options ??= TaskOptions.Default;
        var lambda = new LambdaMethodCall
        {
            MethodName = call.MethodName,
            Assembly = call.AssemblyPath.Length == 0 ? null : _backend.Preparer.StoreAssembly(call.AssemblyPath),
        };
        lambda.ParameterTypes.AddRange(call.ParameterTypes);
        lambda.GenericArguments.AddRange(call.GenericArguments);
        var assignment = new TaskAssignment
        {
            Lambda = lambda,
            ArgsJson = UnsafeByteOperations.UnsafeWrap(call.ArgumentsJson),
            TimeoutMs = TaskTimeouts.ToMilliseconds(options.Timeout, "TaskOptions.Timeout"),
        };
        var name = (options.Name ?? call.MethodName[(call.MethodName.LastIndexOf('.', call.MethodName.LastIndexOf('.') - 1) + 1)..]) + nameSuffix;
        var task = new SubmittedTaskSpec
        {
            Name = name,
            Assignment = assignment,
            Cores = options.Cores,
            Priority = options.Priority,
            Retries = options.Retries,
        };
        if (target.Node is { } node)
        {
            task.TargetNode = node;
        }

        if (target.Worker is { } worker)
        {
            task.TargetWorker = worker;
        }

        SubmitTracing.Trace(task);
        return task;
    }

    /// <summary>Where a task must run: anywhere, on a node, or on one worker.</summary>
    private readonly record struct Target(int? Node, int? Worker)
    {
        public static Target Anywhere => default;

        public static Target Of(NodeInfo node) => new(node.Index, null);

        public static Target Of(WorkerInfo worker) => new(worker.Node, worker.WorkerId);
    }
}
