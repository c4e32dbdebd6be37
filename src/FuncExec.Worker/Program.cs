using FuncExec.Core.Platform;
using FuncExec.Worker;

// A worker process: pinned to its core(s), it runs the tasks its node sends, one at a time,
// in the order they arrive, and sends results back in batches.
WorkerOptions options;
try
{
    options = WorkerOptions.Parse(args);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
    return 2;
}

CpuAffinity.PinProcess(options.Cores);

// Orphans of a task's processes (double-forked, setsid) are adopted here instead of by init, so the
// node finds them below this process when it kills it, and the worker ends them after each task.
Subreaper.Become();
var runtime = new WorkerRuntime(TimeProvider.System);

// Installed before any other thread starts, so TaskContext.Current answers in every thread and flow of a task.
runtime.Install();
WorkerMetrics.Identify(options.NodeName, options.Cores);
var executor = new TaskExecutor(options, runtime);
if (options.WorkerId == -1)
{
    // A warm spare has time before it is needed: compile the task path now, so the first task
    // after it takes a dead worker's place does not pay for the JIT.
    executor.WarmUp();
}

using var connection = WorkerConnection.Connect(options);

// After connecting (the worker's own connect is no task's span) and before the first task. The last spans and metrics
// are sent as the worker exits, by Dispose or, when it ends by Environment.Exit (its node went away), on ProcessExit.
var telemetry = WorkerTelemetry.StartIfConfigured(options.NodeName);
if (telemetry is not null)
{
    AppDomain.CurrentDomain.ProcessExit += (_, _) => telemetry.Dispose();
}

using (telemetry)
{
    using var loop = new WorkerLoop(connection, executor, runtime);
    return loop.Run();
}
