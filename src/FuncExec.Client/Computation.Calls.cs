using System.Linq.Expressions;
using FuncExec;

namespace FuncExec;

// The call shapes a computation accepts; each delegates to one private core in Computation.cs.
public sealed partial class Computation
{
    /// <summary>Runs a call that returns a value, e.g. <c>() =&gt; Jobs.Add(a, b)</c> on the least loaded worker and returns its result.</summary>
    /// <exception cref="TaskFailedException">The task failed; the remote exception's type, message and stack are inside.</exception>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call to a public static method, or an argument cannot be sent.</exception>
    public async Task<T> RunAsync<T>(Expression<Func<T>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitValueAsync<T>(call, options, Target.Anywhere, cancellationToken).ConfigureAwait(false)).Result.WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Submits a call that returns a value, e.g. <c>() =&gt; Jobs.Add(a, b)</c>; the handle gives its result, messages, progress, cancel and kill.</summary>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call to a public static method, or an argument cannot be sent.</exception>
    public Task<RemoteTask<T>> SubmitAsync<T>(Expression<Func<T>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitValueAsync<T>(call, options, Target.Anywhere, cancellationToken);

    /// <summary>Submits a call that returns a value, e.g. <c>() =&gt; Jobs.Add(a, b)</c> to run on a worker of <paramref name="node"/>.</summary>
    public Task<RemoteTask<T>> SubmitAtAsync<T>(NodeInfo node, Expression<Func<T>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitValueAsync<T>(call, options, Target.Of(node), cancellationToken);

    /// <summary>Submits a call that returns a value, e.g. <c>() =&gt; Jobs.Add(a, b)</c> to run on <paramref name="worker"/>.</summary>
    public Task<RemoteTask<T>> SubmitAtAsync<T>(WorkerInfo worker, Expression<Func<T>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitValueAsync<T>(call, options, Target.Of(worker), cancellationToken);

    /// <summary>Runs a call that returns a value, e.g. <c>() =&gt; Jobs.Add(a, b)</c> on the least loaded worker of <paramref name="node"/>.</summary>
    public async Task<T> RunAtAsync<T>(NodeInfo node, Expression<Func<T>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitValueAsync<T>(call, options, Target.Of(node), cancellationToken).ConfigureAwait(false)).Result.WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call that returns a value, e.g. <c>() =&gt; Jobs.Add(a, b)</c> on <paramref name="worker"/>.</summary>
    public async Task<T> RunAtAsync<T>(WorkerInfo worker, Expression<Func<T>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitValueAsync<T>(call, options, Target.Of(worker), cancellationToken).ConfigureAwait(false)).Result.WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call that returns a value, e.g. <c>() =&gt; Jobs.Add(a, b)</c> once on each node (on its least loaded worker); results in node order.</summary>
    public async Task<IReadOnlyList<T>> RunEachNodeAsync<T>(Expression<Func<T>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachAsync<T>(call, await EachNodeAsync(cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call that returns a value, e.g. <c>() =&gt; Jobs.Add(a, b)</c> once on every worker of every node; results in worker order.</summary>
    public async Task<IReadOnlyList<T>> RunEachWorkerAsync<T>(Expression<Func<T>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachAsync<T>(call, await EachWorkerAsync(null, cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call that returns a value, e.g. <c>() =&gt; Jobs.Add(a, b)</c> once on every worker of <paramref name="node"/>; results in worker order.</summary>
    public async Task<IReadOnlyList<T>> RunNodeWorkersAsync<T>(NodeInfo node, Expression<Func<T>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachAsync<T>(call, await EachWorkerAsync(node, cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call to an async method that returns a value, e.g. <c>() =&gt; Jobs.FetchAsync(url)</c> on the least loaded worker and returns its result.</summary>
    /// <exception cref="TaskFailedException">The task failed; the remote exception's type, message and stack are inside.</exception>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call to a public static method, or an argument cannot be sent.</exception>
    public async Task<T> RunAsync<T>(Expression<Func<Task<T>>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitValueAsync<T>(call, options, Target.Anywhere, cancellationToken).ConfigureAwait(false)).Result.WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Submits a call to an async method that returns a value, e.g. <c>() =&gt; Jobs.FetchAsync(url)</c>; the handle gives its result, messages, progress, cancel and kill.</summary>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call to a public static method, or an argument cannot be sent.</exception>
    public Task<RemoteTask<T>> SubmitAsync<T>(Expression<Func<Task<T>>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitValueAsync<T>(call, options, Target.Anywhere, cancellationToken);

    /// <summary>Submits a call to an async method that returns a value, e.g. <c>() =&gt; Jobs.FetchAsync(url)</c> to run on a worker of <paramref name="node"/>.</summary>
    public Task<RemoteTask<T>> SubmitAtAsync<T>(NodeInfo node, Expression<Func<Task<T>>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitValueAsync<T>(call, options, Target.Of(node), cancellationToken);

    /// <summary>Submits a call to an async method that returns a value, e.g. <c>() =&gt; Jobs.FetchAsync(url)</c> to run on <paramref name="worker"/>.</summary>
    public Task<RemoteTask<T>> SubmitAtAsync<T>(WorkerInfo worker, Expression<Func<Task<T>>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitValueAsync<T>(call, options, Target.Of(worker), cancellationToken);

    /// <summary>Runs a call to an async method that returns a value, e.g. <c>() =&gt; Jobs.FetchAsync(url)</c> on the least loaded worker of <paramref name="node"/>.</summary>
    public async Task<T> RunAtAsync<T>(NodeInfo node, Expression<Func<Task<T>>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitValueAsync<T>(call, options, Target.Of(node), cancellationToken).ConfigureAwait(false)).Result.WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call to an async method that returns a value, e.g. <c>() =&gt; Jobs.FetchAsync(url)</c> on <paramref name="worker"/>.</summary>
    public async Task<T> RunAtAsync<T>(WorkerInfo worker, Expression<Func<Task<T>>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitValueAsync<T>(call, options, Target.Of(worker), cancellationToken).ConfigureAwait(false)).Result.WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call to an async method that returns a value, e.g. <c>() =&gt; Jobs.FetchAsync(url)</c> once on each node (on its least loaded worker); results in node order.</summary>
    public async Task<IReadOnlyList<T>> RunEachNodeAsync<T>(Expression<Func<Task<T>>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachAsync<T>(call, await EachNodeAsync(cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call to an async method that returns a value, e.g. <c>() =&gt; Jobs.FetchAsync(url)</c> once on every worker of every node; results in worker order.</summary>
    public async Task<IReadOnlyList<T>> RunEachWorkerAsync<T>(Expression<Func<Task<T>>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachAsync<T>(call, await EachWorkerAsync(null, cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call to an async method that returns a value, e.g. <c>() =&gt; Jobs.FetchAsync(url)</c> once on every worker of <paramref name="node"/>; results in worker order.</summary>
    public async Task<IReadOnlyList<T>> RunNodeWorkersAsync<T>(NodeInfo node, Expression<Func<Task<T>>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachAsync<T>(call, await EachWorkerAsync(node, cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call to a <c>void</c> method, e.g. <c>() =&gt; Jobs.Log(text)</c> on the least loaded worker and waits for it to end.</summary>
    /// <exception cref="TaskFailedException">The task failed; the remote exception's type, message and stack are inside.</exception>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call to a public static method, or an argument cannot be sent.</exception>
    public async Task RunAsync(Expression<Action> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitVoidAsync(call, options, Target.Anywhere, cancellationToken).ConfigureAwait(false)).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Submits a call to a <c>void</c> method, e.g. <c>() =&gt; Jobs.Log(text)</c>; the handle gives its end, messages, progress, cancel and kill.</summary>
    public Task<RemoteTask> SubmitAsync(Expression<Action> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitVoidAsync(call, options, Target.Anywhere, cancellationToken);

    /// <summary>Submits a call to a <c>void</c> method, e.g. <c>() =&gt; Jobs.Log(text)</c> to run on a worker of <paramref name="node"/>.</summary>
    public Task<RemoteTask> SubmitAtAsync(NodeInfo node, Expression<Action> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitVoidAsync(call, options, Target.Of(node), cancellationToken);

    /// <summary>Submits a call to a <c>void</c> method, e.g. <c>() =&gt; Jobs.Log(text)</c> to run on <paramref name="worker"/>.</summary>
    public Task<RemoteTask> SubmitAtAsync(WorkerInfo worker, Expression<Action> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitVoidAsync(call, options, Target.Of(worker), cancellationToken);

    /// <summary>Runs a call to a <c>void</c> method, e.g. <c>() =&gt; Jobs.Log(text)</c> on the least loaded worker of <paramref name="node"/>.</summary>
    public async Task RunAtAsync(NodeInfo node, Expression<Action> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitVoidAsync(call, options, Target.Of(node), cancellationToken).ConfigureAwait(false)).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call to a <c>void</c> method, e.g. <c>() =&gt; Jobs.Log(text)</c> on <paramref name="worker"/>.</summary>
    public async Task RunAtAsync(WorkerInfo worker, Expression<Action> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitVoidAsync(call, options, Target.Of(worker), cancellationToken).ConfigureAwait(false)).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call to a <c>void</c> method, e.g. <c>() =&gt; Jobs.Log(text)</c> once on each node.</summary>
    public async Task RunEachNodeAsync(Expression<Action> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachVoidAsync(call, await EachNodeAsync(cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call to a <c>void</c> method, e.g. <c>() =&gt; Jobs.Log(text)</c> once on every worker of every node.</summary>
    public async Task RunEachWorkerAsync(Expression<Action> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachVoidAsync(call, await EachWorkerAsync(null, cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call to a <c>void</c> method, e.g. <c>() =&gt; Jobs.Log(text)</c> once on every worker of <paramref name="node"/>.</summary>
    public async Task RunNodeWorkersAsync(NodeInfo node, Expression<Action> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachVoidAsync(call, await EachWorkerAsync(node, cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call to an async method that returns nothing, e.g. <c>() =&gt; Jobs.SaveAsync(path)</c> on the least loaded worker and waits for it to end.</summary>
    /// <exception cref="TaskFailedException">The task failed; the remote exception's type, message and stack are inside.</exception>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call to a public static method, or an argument cannot be sent.</exception>
    public async Task RunAsync(Expression<Func<Task>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitVoidAsync(call, options, Target.Anywhere, cancellationToken).ConfigureAwait(false)).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Submits a call to an async method that returns nothing, e.g. <c>() =&gt; Jobs.SaveAsync(path)</c>; the handle gives its end, messages, progress, cancel and kill.</summary>
    public Task<RemoteTask> SubmitAsync(Expression<Func<Task>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitVoidAsync(call, options, Target.Anywhere, cancellationToken);

    /// <summary>Submits a call to an async method that returns nothing, e.g. <c>() =&gt; Jobs.SaveAsync(path)</c> to run on a worker of <paramref name="node"/>.</summary>
    public Task<RemoteTask> SubmitAtAsync(NodeInfo node, Expression<Func<Task>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitVoidAsync(call, options, Target.Of(node), cancellationToken);

    /// <summary>Submits a call to an async method that returns nothing, e.g. <c>() =&gt; Jobs.SaveAsync(path)</c> to run on <paramref name="worker"/>.</summary>
    public Task<RemoteTask> SubmitAtAsync(WorkerInfo worker, Expression<Func<Task>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitVoidAsync(call, options, Target.Of(worker), cancellationToken);

    /// <summary>Runs a call to an async method that returns nothing, e.g. <c>() =&gt; Jobs.SaveAsync(path)</c> on the least loaded worker of <paramref name="node"/>.</summary>
    public async Task RunAtAsync(NodeInfo node, Expression<Func<Task>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitVoidAsync(call, options, Target.Of(node), cancellationToken).ConfigureAwait(false)).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call to an async method that returns nothing, e.g. <c>() =&gt; Jobs.SaveAsync(path)</c> on <paramref name="worker"/>.</summary>
    public async Task RunAtAsync(WorkerInfo worker, Expression<Func<Task>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitVoidAsync(call, options, Target.Of(worker), cancellationToken).ConfigureAwait(false)).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call to an async method that returns nothing, e.g. <c>() =&gt; Jobs.SaveAsync(path)</c> once on each node.</summary>
    public async Task RunEachNodeAsync(Expression<Func<Task>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachVoidAsync(call, await EachNodeAsync(cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call to an async method that returns nothing, e.g. <c>() =&gt; Jobs.SaveAsync(path)</c> once on every worker of every node.</summary>
    public async Task RunEachWorkerAsync(Expression<Func<Task>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachVoidAsync(call, await EachWorkerAsync(null, cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call to an async method that returns nothing, e.g. <c>() =&gt; Jobs.SaveAsync(path)</c> once on every worker of <paramref name="node"/>.</summary>
    public async Task RunNodeWorkersAsync(NodeInfo node, Expression<Func<Task>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachVoidAsync(call, await EachWorkerAsync(node, cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call that takes the task's context and returns a value, e.g. <c>ctx =&gt; Jobs.Echo(ctx, 3)</c> on the least loaded worker and returns its result.</summary>
    /// <exception cref="TaskFailedException">The task failed; the remote exception's type, message and stack are inside.</exception>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call to a public static method, or an argument cannot be sent.</exception>
    public async Task<T> RunAsync<T>(Expression<Func<TaskContext, T>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitValueAsync<T>(call, options, Target.Anywhere, cancellationToken).ConfigureAwait(false)).Result.WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Submits a call that takes the task's context and returns a value, e.g. <c>ctx =&gt; Jobs.Echo(ctx, 3)</c>; the handle gives its result, messages, progress, cancel and kill.</summary>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call to a public static method, or an argument cannot be sent.</exception>
    public Task<RemoteTask<T>> SubmitAsync<T>(Expression<Func<TaskContext, T>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitValueAsync<T>(call, options, Target.Anywhere, cancellationToken);

    /// <summary>Submits a call that takes the task's context and returns a value, e.g. <c>ctx =&gt; Jobs.Echo(ctx, 3)</c> to run on a worker of <paramref name="node"/>.</summary>
    public Task<RemoteTask<T>> SubmitAtAsync<T>(NodeInfo node, Expression<Func<TaskContext, T>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitValueAsync<T>(call, options, Target.Of(node), cancellationToken);

    /// <summary>Submits a call that takes the task's context and returns a value, e.g. <c>ctx =&gt; Jobs.Echo(ctx, 3)</c> to run on <paramref name="worker"/>.</summary>
    public Task<RemoteTask<T>> SubmitAtAsync<T>(WorkerInfo worker, Expression<Func<TaskContext, T>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitValueAsync<T>(call, options, Target.Of(worker), cancellationToken);

    /// <summary>Runs a call that takes the task's context and returns a value, e.g. <c>ctx =&gt; Jobs.Echo(ctx, 3)</c> on the least loaded worker of <paramref name="node"/>.</summary>
    public async Task<T> RunAtAsync<T>(NodeInfo node, Expression<Func<TaskContext, T>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitValueAsync<T>(call, options, Target.Of(node), cancellationToken).ConfigureAwait(false)).Result.WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call that takes the task's context and returns a value, e.g. <c>ctx =&gt; Jobs.Echo(ctx, 3)</c> on <paramref name="worker"/>.</summary>
    public async Task<T> RunAtAsync<T>(WorkerInfo worker, Expression<Func<TaskContext, T>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitValueAsync<T>(call, options, Target.Of(worker), cancellationToken).ConfigureAwait(false)).Result.WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call that takes the task's context and returns a value, e.g. <c>ctx =&gt; Jobs.Echo(ctx, 3)</c> once on each node (on its least loaded worker); results in node order.</summary>
    public async Task<IReadOnlyList<T>> RunEachNodeAsync<T>(Expression<Func<TaskContext, T>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachAsync<T>(call, await EachNodeAsync(cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call that takes the task's context and returns a value, e.g. <c>ctx =&gt; Jobs.Echo(ctx, 3)</c> once on every worker of every node; results in worker order.</summary>
    public async Task<IReadOnlyList<T>> RunEachWorkerAsync<T>(Expression<Func<TaskContext, T>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachAsync<T>(call, await EachWorkerAsync(null, cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call that takes the task's context and returns a value, e.g. <c>ctx =&gt; Jobs.Echo(ctx, 3)</c> once on every worker of <paramref name="node"/>; results in worker order.</summary>
    public async Task<IReadOnlyList<T>> RunNodeWorkersAsync<T>(NodeInfo node, Expression<Func<TaskContext, T>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachAsync<T>(call, await EachWorkerAsync(node, cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs an async call that takes the task's context and returns a value, e.g. <c>ctx =&gt; Jobs.PongAsync(ctx)</c> on the least loaded worker and returns its result.</summary>
    /// <exception cref="TaskFailedException">The task failed; the remote exception's type, message and stack are inside.</exception>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call to a public static method, or an argument cannot be sent.</exception>
    public async Task<T> RunAsync<T>(Expression<Func<TaskContext, Task<T>>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitValueAsync<T>(call, options, Target.Anywhere, cancellationToken).ConfigureAwait(false)).Result.WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Submits an async call that takes the task's context and returns a value, e.g. <c>ctx =&gt; Jobs.PongAsync(ctx)</c>; the handle gives its result, messages, progress, cancel and kill.</summary>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call to a public static method, or an argument cannot be sent.</exception>
    public Task<RemoteTask<T>> SubmitAsync<T>(Expression<Func<TaskContext, Task<T>>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitValueAsync<T>(call, options, Target.Anywhere, cancellationToken);

    /// <summary>Submits an async call that takes the task's context and returns a value, e.g. <c>ctx =&gt; Jobs.PongAsync(ctx)</c> to run on a worker of <paramref name="node"/>.</summary>
    public Task<RemoteTask<T>> SubmitAtAsync<T>(NodeInfo node, Expression<Func<TaskContext, Task<T>>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitValueAsync<T>(call, options, Target.Of(node), cancellationToken);

    /// <summary>Submits an async call that takes the task's context and returns a value, e.g. <c>ctx =&gt; Jobs.PongAsync(ctx)</c> to run on <paramref name="worker"/>.</summary>
    public Task<RemoteTask<T>> SubmitAtAsync<T>(WorkerInfo worker, Expression<Func<TaskContext, Task<T>>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitValueAsync<T>(call, options, Target.Of(worker), cancellationToken);

    /// <summary>Runs an async call that takes the task's context and returns a value, e.g. <c>ctx =&gt; Jobs.PongAsync(ctx)</c> on the least loaded worker of <paramref name="node"/>.</summary>
    public async Task<T> RunAtAsync<T>(NodeInfo node, Expression<Func<TaskContext, Task<T>>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitValueAsync<T>(call, options, Target.Of(node), cancellationToken).ConfigureAwait(false)).Result.WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs an async call that takes the task's context and returns a value, e.g. <c>ctx =&gt; Jobs.PongAsync(ctx)</c> on <paramref name="worker"/>.</summary>
    public async Task<T> RunAtAsync<T>(WorkerInfo worker, Expression<Func<TaskContext, Task<T>>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitValueAsync<T>(call, options, Target.Of(worker), cancellationToken).ConfigureAwait(false)).Result.WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs an async call that takes the task's context and returns a value, e.g. <c>ctx =&gt; Jobs.PongAsync(ctx)</c> once on each node (on its least loaded worker); results in node order.</summary>
    public async Task<IReadOnlyList<T>> RunEachNodeAsync<T>(Expression<Func<TaskContext, Task<T>>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachAsync<T>(call, await EachNodeAsync(cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs an async call that takes the task's context and returns a value, e.g. <c>ctx =&gt; Jobs.PongAsync(ctx)</c> once on every worker of every node; results in worker order.</summary>
    public async Task<IReadOnlyList<T>> RunEachWorkerAsync<T>(Expression<Func<TaskContext, Task<T>>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachAsync<T>(call, await EachWorkerAsync(null, cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs an async call that takes the task's context and returns a value, e.g. <c>ctx =&gt; Jobs.PongAsync(ctx)</c> once on every worker of <paramref name="node"/>; results in worker order.</summary>
    public async Task<IReadOnlyList<T>> RunNodeWorkersAsync<T>(NodeInfo node, Expression<Func<TaskContext, Task<T>>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachAsync<T>(call, await EachWorkerAsync(node, cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a <c>void</c> call that takes the task's context, e.g. <c>ctx =&gt; Jobs.Watch(ctx)</c> on the least loaded worker and waits for it to end.</summary>
    /// <exception cref="TaskFailedException">The task failed; the remote exception's type, message and stack are inside.</exception>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call to a public static method, or an argument cannot be sent.</exception>
    public async Task RunAsync(Expression<Action<TaskContext>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitVoidAsync(call, options, Target.Anywhere, cancellationToken).ConfigureAwait(false)).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Submits a <c>void</c> call that takes the task's context, e.g. <c>ctx =&gt; Jobs.Watch(ctx)</c>; the handle gives its end, messages, progress, cancel and kill.</summary>
    public Task<RemoteTask> SubmitAsync(Expression<Action<TaskContext>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitVoidAsync(call, options, Target.Anywhere, cancellationToken);

    /// <summary>Submits a <c>void</c> call that takes the task's context, e.g. <c>ctx =&gt; Jobs.Watch(ctx)</c> to run on a worker of <paramref name="node"/>.</summary>
    public Task<RemoteTask> SubmitAtAsync(NodeInfo node, Expression<Action<TaskContext>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitVoidAsync(call, options, Target.Of(node), cancellationToken);

    /// <summary>Submits a <c>void</c> call that takes the task's context, e.g. <c>ctx =&gt; Jobs.Watch(ctx)</c> to run on <paramref name="worker"/>.</summary>
    public Task<RemoteTask> SubmitAtAsync(WorkerInfo worker, Expression<Action<TaskContext>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitVoidAsync(call, options, Target.Of(worker), cancellationToken);

    /// <summary>Runs a <c>void</c> call that takes the task's context, e.g. <c>ctx =&gt; Jobs.Watch(ctx)</c> on the least loaded worker of <paramref name="node"/>.</summary>
    public async Task RunAtAsync(NodeInfo node, Expression<Action<TaskContext>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitVoidAsync(call, options, Target.Of(node), cancellationToken).ConfigureAwait(false)).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a <c>void</c> call that takes the task's context, e.g. <c>ctx =&gt; Jobs.Watch(ctx)</c> on <paramref name="worker"/>.</summary>
    public async Task RunAtAsync(WorkerInfo worker, Expression<Action<TaskContext>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitVoidAsync(call, options, Target.Of(worker), cancellationToken).ConfigureAwait(false)).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a <c>void</c> call that takes the task's context, e.g. <c>ctx =&gt; Jobs.Watch(ctx)</c> once on each node.</summary>
    public async Task RunEachNodeAsync(Expression<Action<TaskContext>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachVoidAsync(call, await EachNodeAsync(cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a <c>void</c> call that takes the task's context, e.g. <c>ctx =&gt; Jobs.Watch(ctx)</c> once on every worker of every node.</summary>
    public async Task RunEachWorkerAsync(Expression<Action<TaskContext>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachVoidAsync(call, await EachWorkerAsync(null, cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a <c>void</c> call that takes the task's context, e.g. <c>ctx =&gt; Jobs.Watch(ctx)</c> once on every worker of <paramref name="node"/>.</summary>
    public async Task RunNodeWorkersAsync(NodeInfo node, Expression<Action<TaskContext>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachVoidAsync(call, await EachWorkerAsync(node, cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs an async call that takes the task's context and returns nothing, e.g. <c>ctx =&gt; Jobs.ServeAsync(ctx)</c> on the least loaded worker and waits for it to end.</summary>
    /// <exception cref="TaskFailedException">The task failed; the remote exception's type, message and stack are inside.</exception>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call to a public static method, or an argument cannot be sent.</exception>
    public async Task RunAsync(Expression<Func<TaskContext, Task>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitVoidAsync(call, options, Target.Anywhere, cancellationToken).ConfigureAwait(false)).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Submits an async call that takes the task's context and returns nothing, e.g. <c>ctx =&gt; Jobs.ServeAsync(ctx)</c>; the handle gives its end, messages, progress, cancel and kill.</summary>
    public Task<RemoteTask> SubmitAsync(Expression<Func<TaskContext, Task>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitVoidAsync(call, options, Target.Anywhere, cancellationToken);

    /// <summary>Submits an async call that takes the task's context and returns nothing, e.g. <c>ctx =&gt; Jobs.ServeAsync(ctx)</c> to run on a worker of <paramref name="node"/>.</summary>
    public Task<RemoteTask> SubmitAtAsync(NodeInfo node, Expression<Func<TaskContext, Task>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitVoidAsync(call, options, Target.Of(node), cancellationToken);

    /// <summary>Submits an async call that takes the task's context and returns nothing, e.g. <c>ctx =&gt; Jobs.ServeAsync(ctx)</c> to run on <paramref name="worker"/>.</summary>
    public Task<RemoteTask> SubmitAtAsync(WorkerInfo worker, Expression<Func<TaskContext, Task>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitVoidAsync(call, options, Target.Of(worker), cancellationToken);

    /// <summary>Runs an async call that takes the task's context and returns nothing, e.g. <c>ctx =&gt; Jobs.ServeAsync(ctx)</c> on the least loaded worker of <paramref name="node"/>.</summary>
    public async Task RunAtAsync(NodeInfo node, Expression<Func<TaskContext, Task>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitVoidAsync(call, options, Target.Of(node), cancellationToken).ConfigureAwait(false)).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs an async call that takes the task's context and returns nothing, e.g. <c>ctx =&gt; Jobs.ServeAsync(ctx)</c> on <paramref name="worker"/>.</summary>
    public async Task RunAtAsync(WorkerInfo worker, Expression<Func<TaskContext, Task>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await SubmitVoidAsync(call, options, Target.Of(worker), cancellationToken).ConfigureAwait(false)).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs an async call that takes the task's context and returns nothing, e.g. <c>ctx =&gt; Jobs.ServeAsync(ctx)</c> once on each node.</summary>
    public async Task RunEachNodeAsync(Expression<Func<TaskContext, Task>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachVoidAsync(call, await EachNodeAsync(cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs an async call that takes the task's context and returns nothing, e.g. <c>ctx =&gt; Jobs.ServeAsync(ctx)</c> once on every worker of every node.</summary>
    public async Task RunEachWorkerAsync(Expression<Func<TaskContext, Task>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachVoidAsync(call, await EachWorkerAsync(null, cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs an async call that takes the task's context and returns nothing, e.g. <c>ctx =&gt; Jobs.ServeAsync(ctx)</c> once on every worker of <paramref name="node"/>.</summary>
    public async Task RunNodeWorkersAsync(NodeInfo node, Expression<Func<TaskContext, Task>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        await RunEachVoidAsync(call, await EachWorkerAsync(node, cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs the call once per item, the lambda's parameter standing for the item, e.g.
    /// <c>MapAsync(inputs, x =&gt; Jobs.Square(x))</c>; results in item order. All tasks are submitted in one batch.</summary>
    /// <exception cref="TaskFailedException">A task failed (the first such, once all have ended).</exception>
    public Task<IReadOnlyList<T>> MapAsync<TItem, T>(IEnumerable<TItem> items, Expression<Func<TItem, T>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        MapCoreAsync<TItem, T>(items, call, options, cancellationToken);

    /// <summary>Runs an async call once per item, e.g. <c>MapAsync(urls, u =&gt; Jobs.FetchAsync(u))</c>; results in item order.</summary>
    /// <exception cref="TaskFailedException">A task failed (the first such, once all have ended).</exception>
    public Task<IReadOnlyList<T>> MapAsync<TItem, T>(IEnumerable<TItem> items, Expression<Func<TItem, Task<T>>> call, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        MapCoreAsync<TItem, T>(items, call, options, cancellationToken);
}
