using System.Text.Json;
using FuncExec.Core.Errors;
using FuncExec.Core.Functions;
using FuncExec.Core.Platform;
using FuncExec.Protocol.V1;
using Google.Protobuf;

namespace FuncExec.Worker;

/// <summary>Runs one task and turns whatever happens into a <see cref="TaskResult"/>.</summary>
internal sealed class TaskExecutor
{
    /// <summary>The largest result a task may return, as JSON; well under the frame cap.</summary>
    internal const int MaxResultBytes = 16 * 1024 * 1024;

    private static readonly byte[] JsonNull = "null"u8.ToArray();

    private readonly OutputCapture _output = OutputCapture.Install();
    private readonly MethodResolver _resolver = new();
    private readonly ComponentLoader _components;

    private IReadOnlyList<int> _cores;

    public TaskExecutor(WorkerOptions options)
    {
        _cores = options.Cores;
        _components = new ComponentLoader(options.ComponentDirectory);
    }

    /// <summary>This spare becomes a worker pinned to <paramref name="cores"/>.</summary>
    public void Adopt(IReadOnlyList<int> cores)
    {
        CpuAffinity.PinProcess(cores);
        _cores = cores;
    }

    /// <summary>Runs a method task whose result nobody sees, to compile the path every task takes.</summary>
    public void WarmUp()
    {
        var warm = new TaskAssignment
        {
            Method = new MethodCall { Name = "System.Math.Max" },
            ArgsJson = ByteString.CopyFromUtf8("[1,2]"),
        };
        warm.Cores.Add(_cores[0]);
        _ = Execute(warm);
    }

    public TaskResult Execute(TaskAssignment task)
    {
        var result = new TaskResult { TaskId = task.TaskId, Attempt = task.Attempt };
        var widened = task.Cores.Count > 1 || (task.Cores.Count == 1 && task.Cores[0] != _cores[0]);
        if (widened)
        {
            CpuAffinity.PinProcess(task.Cores);
        }

        result.StartedUnixUs = Core.Tasks.UnixTime.NowMicroseconds();
        try
        {
            var args = ParamParser.FromJsonArray(task.ArgsJson.Memory);
            switch (task.FunctionCase)
            {
                case TaskAssignment.FunctionOneofCase.Method:
                    var assembly = task.Method.Assembly is { } component ? _components.LoadAssembly(component) : null;
                    var bound = _resolver.Resolve(task.Method.Name, args, assembly);
                    var value = bound.Invoke(args);
                    result.ResultJson = UnsafeByteOperations.UnsafeWrap(bound.SerializeResult(value));
                    result.Outcome = TaskOutcome.Succeeded;
                    break;
                case TaskAssignment.FunctionOneofCase.Code:
                    var run = _components.LoadCode(task.Code);
                    var returned = run(args);
                    result.ResultJson = UnsafeByteOperations.UnsafeWrap(
                        returned is null ? JsonNull : JsonSerializer.SerializeToUtf8Bytes(returned, returned.GetType()));
                    result.Outcome = TaskOutcome.Succeeded;
                    break;
                case TaskAssignment.FunctionOneofCase.Command:
                    CommandRunner.Run(task.Command, result);
                    break;
                default:
                    throw new InvalidDataException($"task {task.TaskId} names no function");
            }
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or InsufficientExecutionStackException))
        {
            // The boundary of user code: whatever it threw is the task's result, not the worker's end.
            result.Outcome = TaskOutcome.Failed;
            result.Error = ToRemoteError(ex);
        }
        finally
        {
            if (widened)
            {
                CpuAffinity.PinProcess(_cores);
            }
        }

        result.FinishedUnixUs = Core.Tasks.UnixTime.NowMicroseconds();
        result.Output = _output.Take();
        if (result.ResultJson.Length > MaxResultBytes)
        {
            var size = result.ResultJson.Length;
            result.ResultJson = ByteString.Empty;
            result.Outcome = TaskOutcome.Failed;
            result.Error = new RemoteError
            {
                Type = "FuncExec.ResultTooLarge",
                Message = $"the result is {size:N0} bytes of JSON, over the cap of {MaxResultBytes:N0}; "
                    + "write large outputs to a file and return its path",
                Retryable = false,
            };
        }

        return result;
    }

    internal static RemoteError ToRemoteError(Exception ex) => new()
    {
        Type = ex.GetType().FullName ?? ex.GetType().Name,
        Message = ex.Message,
        StackTrace = ex.StackTrace ?? string.Empty,
        Retryable = ex is not (FunctionNotFoundException or ArgumentMismatchException or CodeCompilationException
            or CommandNotFoundException or JsonException),
    };
}
