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
using var connection = WorkerConnection.Connect(options);
using var loop = new WorkerLoop(connection, new TaskExecutor(options));
return loop.Run();
