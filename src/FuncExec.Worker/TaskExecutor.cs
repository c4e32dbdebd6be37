using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using FuncExec.Core.Functions;
using FuncExec.Core.Platform;
using FuncExec.Core.Telemetry;
using FuncExec.Protocol.V1;
using Google.Protobuf;

namespace FuncExec.Worker;

using RemoteError = FuncExec.Protocol.V1.RemoteError;

/// <summary>Runs one task and turns whatever happens into a <see cref="TaskResult"/>.</summary>
/// <remarks>
/// A task of a computation runs with its assemblies in the computation's own load context
/// (<see cref="ComputationScope"/>) and with the computation's files folder as the working directory;
/// other tasks run as they always did, in the default context and the worker's directory.
/// </remarks>
internal sealed class TaskExecutor
{
    /// <summary>The largest result a task may return, as JSON; well under the frame cap.</summary>
    internal const int MaxResultBytes = 16 * 1024 * 1024;

    private const string CancelledType = "FuncExec.TaskCancelled";

    private static readonly byte[] JsonNull = "null"u8.ToArray();

    private readonly OutputCapture _output = OutputCapture.Install();
    private readonly MethodResolver _resolver = new();
    private readonly LambdaCache _lambdas = new();
    private readonly ComponentLoader _components;
    private readonly Func<ComponentRef, Assembly> _loadAssembly;
    private readonly WorkerRuntime _runtime;
    private readonly string _componentDirectory;
    private readonly string _workerDirectory = Environment.CurrentDirectory;
    private readonly Dictionary<long, ComputationScope> _computations = [];

    private readonly string _nodeName;
    private IReadOnlyList<int> _cores;
    private int _workerId;

    public TaskExecutor(WorkerOptions options, WorkerRuntime runtime)
    {
        _cores = options.Cores;
        _nodeName = options.NodeName;
        _workerId = options.WorkerId;
        _componentDirectory = options.ComponentDirectory;
        _components = new ComponentLoader(options.ComponentDirectory);
        _loadAssembly = _components.LoadAssembly;
        _runtime = runtime;
    }

    /// <summary>This spare becomes worker <paramref name="workerId"/>, pinned to <paramref name="cores"/>.</summary>
    public void Adopt(int workerId, IReadOnlyList<int> cores)
    {
        CpuAffinity.PinProcess(cores);
        _cores = cores;
        WorkerMetrics.Identify(_nodeName, cores);
        Volatile.Write(ref _workerId, workerId);
    }

    /// <summary>Runs a method task and a lambda task whose results nobody sees, to compile the paths tasks take.</summary>
    public void WarmUp()
    {
        var method = new TaskAssignment
        {
            Method = new MethodCall { Name = "System.Math.Max" },
            ArgsJson = ByteString.CopyFromUtf8("[1,2]"),
        };
        method.Cores.Add(_cores[0]);
        _ = Run(method);

        var lambda = new TaskAssignment
        {
            Lambda = new LambdaMethodCall { MethodName = "System.Math.Max" },
            ArgsJson = ByteString.CopyFromUtf8("[1,2]"),
        };
        lambda.Lambda.ParameterTypes.Add(typeof(int).AssemblyQualifiedName);
        lambda.Lambda.ParameterTypes.Add(typeof(int).AssemblyQualifiedName);
        lambda.Cores.Add(_cores[0]);
        _ = Run(lambda);
    }

    /// <summary>
    /// A warm spare prepares for the tasks of an open computation: makes its load context, loads the assemblies its
    /// tasks named and binds their lambda calls, so the first of them it runs after taking a worker's place finds all
    /// that done; between tasks only. Nothing of the computation's code runs. Advisory: what fails here is left for
    /// the task that needs it, which then fails or succeeds as it would have without this.
    /// </summary>
    public void PrepareComputation(PrepareComputation prepare)
    {
        ComputationScope scope;
        try
        {
            scope = ScopeOf(prepare.Computation);
        }
        catch (DirectoryNotFoundException)
        {
            return;
        }

        foreach (var component in prepare.Components)
        {
            try
            {
                _ = scope.LoadAssembly(component);
            }
            catch (Exception ex) when (ex is IOException or BadImageFormatException or InvalidDataException or InvalidOperationException)
            {
                // The task that names it meets the same error, and reports it.
            }
        }

        foreach (var lambda in prepare.Lambdas)
        {
            try
            {
                _ = scope.Lambdas.Get(lambda, scope.LoadAssembly);
            }
            catch (Exception ex) when (ex is not (OutOfMemoryException or InsufficientExecutionStackException))
            {
                // As above: binding runs none of the computation's code, and the task that makes this call binds it again.
            }
        }
    }

    /// <summary>Drops computation <paramref name="computation"/> and unloads its assemblies; between tasks only.</summary>
    public void CloseComputation(long computation)
    {
        if (_computations.Remove(computation, out var scope))
        {
            scope.Close();
            WorkerMetrics.ComputationClosed();
        }
    }

    /// <summary>Runs <paramref name="task"/> inside its <c>funcexec.execute</c> span when this worker traces: the span is
    /// <see cref="Activity.Current"/> while the task's code runs, so activities the code starts join the task's trace.</summary>
    public TaskResult Execute(TaskAssignment task)
    {
        if (!FuncExecTelemetry.ActivitySource.HasListeners())
        {
            return Run(task);
        }

        _ = TraceContext.TryRead(task.TraceParent, task.TraceState, out var parent);
        var span = TraceContext.StartChild("funcexec.execute", ActivityKind.Consumer, parent);
        if (span is null)
        {
            if (parent == default || parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded))
            {
                return Run(task);
            }

            // Sampled out where its trace began: the task's code runs under that decision, so the activities it starts
            // are not sampled either (rather than each starting a trace of its own). No source's: nothing exports it.
            span = new Activity("funcexec.execute");
            span.SetParentId(parent.TraceId, parent.SpanId, parent.TraceFlags);
            var current = Activity.Current;
            span.Start();
            Activity.Current = current;
        }
        else if (span.IsAllDataRequested)
        {
            span.SetTag(TraceContext.TaskId, task.TaskId);
            span.SetTag(TraceContext.TaskName, task.TaskName.Length > TaskAssignment.MaxTracedNameLength ? task.TaskName[..TaskAssignment.MaxTracedNameLength] : task.TaskName);
            span.SetTag(TraceContext.TaskFunction, task.FunctionName);
            span.SetTag(TraceContext.TaskAttempt, task.Attempt);
            span.SetTag(TraceContext.Node, _nodeName);
            span.SetTag(TraceContext.Worker, Volatile.Read(ref _workerId));
            span.SetTag(TraceContext.Cores, string.Join(',', task.Cores.Count > 0 ? task.Cores : _cores));
            span.SetTag(TraceContext.Computation, task.Computation);
        }

        var previous = Activity.Current;
        Activity.Current = span;
        TaskResult result;
        try
        {
            result = Run(task);
        }
        finally
        {
            Activity.Current = previous;
        }

        if (result.Outcome != TaskOutcome.Succeeded && span.IsAllDataRequested && span.Recorded)
        {
            TraceContext.SetError(span, result.Error is { Type.Length: > 0 } error ? error.Type : result.Outcome.ToString(), result.Error?.Message);
        }

        TraceContext.Stop(span);
        return result;
    }

    private TaskResult Run(TaskAssignment task)
    {
        var result = new TaskResult { TaskId = task.TaskId, Attempt = task.Attempt };
        var widened = task.Cores.Count > 1 || (task.Cores.Count == 1 && task.Cores[0] != _cores[0]);
        if (widened)
        {
            CpuAffinity.PinProcess(task.Cores);
        }

        result.StartedUnixUs = UnixTime.NowMicroseconds();
        var inFilesDirectory = false;
        try
        {
            ComputationScope? scope = null;
            if (task.Computation != 0)
            {
                scope = ScopeOf(task.Computation);

                // The worker runs one task at a time, so the process's directory is the task's.
                Directory.SetCurrentDirectory(scope.FilesDirectory);
                inFilesDirectory = true;
            }

            _runtime.Enter(task.Cores.Count > 0 ? task.Cores : _cores, scope?.FilesDirectory ?? _workerDirectory);
            switch (task.FunctionCase)
            {
                case TaskAssignment.FunctionOneofCase.Method:
                {
                    var args = ParamParser.FromJsonArray(task.ArgsJson.Memory);
                    var assembly = task.Method.Assembly is { } component
                        ? (scope is null ? _components.LoadAssembly(component) : scope.LoadAssembly(component))
                        : null;
                    var bound = (scope?.Resolver ?? _resolver).Resolve(task.Method.Name, args, assembly);
                    var value = bound.Invoke(args, bound.UsesContext ? _runtime.Board.RunningContext() : null);
                    result.ResultJson = UnsafeByteOperations.UnsafeWrap(bound.SerializeResult(value));
                    result.Outcome = TaskOutcome.Succeeded;
                    break;
                }

                case TaskAssignment.FunctionOneofCase.Lambda:
                {
                    var bound = scope is null ? _lambdas.Get(task.Lambda, _loadAssembly) : scope.Lambdas.Get(task.Lambda, scope.LoadAssembly);
                    var context = bound.UsesContext ? _runtime.Board.RunningContext() : null;
                    result.ResultJson = UnsafeByteOperations.UnsafeWrap(task.MapChunk
                        ? MapChunk.Run(bound, task.ArgsJson.Memory, context)
                        : bound.SerializeResult(bound.Invoke(task.ArgsJson.Span, context)));
                    result.Outcome = TaskOutcome.Succeeded;
                    break;
                }

                case TaskAssignment.FunctionOneofCase.Code:
                {
                    var args = ParamParser.FromJsonArray(task.ArgsJson.Memory);
                    var run = _components.LoadCode(task.Code);
                    var returned = run(args);
                    result.ResultJson = UnsafeByteOperations.UnsafeWrap(returned is null ? JsonNull : FuncExecJson.SerializeResult(returned));
                    result.Outcome = TaskOutcome.Succeeded;
                    break;
                }

                case TaskAssignment.FunctionOneofCase.Command:
                    CommandRunner.Run(task.Command, result);
                    break;
                default:
                    throw new InvalidDataException($"task {task.TaskId} names no function");
            }
        }
        catch (OperationCanceledException ex) when (_runtime.IsCancelRequested)
        {
            // The client cancelled, and the task honoured its token.
            result.Outcome = TaskOutcome.Cancelled;
            result.Error = new RemoteError
            {
                Type = CancelledType,
                Message = $"cancelled while it ran: {ex.Message}",
                StackTrace = ex.StackTrace ?? string.Empty,
                Retryable = false,
            };
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or InsufficientExecutionStackException))
        {
            // The boundary of user code: whatever it threw is the task's result, not the worker's end.
            result.Outcome = TaskOutcome.Failed;
            result.Error = ToRemoteError(ex);
        }
        finally
        {
            _runtime.Exit();
            if (inFilesDirectory)
            {
                Directory.SetCurrentDirectory(_workerDirectory);
            }

            if (widened)
            {
                CpuAffinity.PinProcess(_cores);
            }

            // Whatever the task started and left running ends with it, before its result is reported.
            Subreaper.EndLeftovers();
        }

        result.FinishedUnixUs = UnixTime.NowMicroseconds();
        result.Output = _output.Take();
        if (result.ResultJson.Length > MaxResultBytes)
        {
            var size = result.ResultJson.Length;
            result.ResultJson = ByteString.Empty;
            result.Outcome = TaskOutcome.Failed;
            result.Error = new RemoteError
            {
                Type = "FuncExec.ResultTooLarge",
                // The worker runs under the machine's culture for the user's sake; its own words do not.
                Message = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the result is {size:N0} bytes of JSON, over the cap of {MaxResultBytes:N0}; ")
                    + "write large outputs to a file and return its path",
                Retryable = false,
            };
        }

        return result;
    }

    /// <summary>The result of a task cancelled before it started.</summary>
    internal static TaskResult CancelledBeforeStart(TaskAssignment task) => new()
    {
        TaskId = task.TaskId,
        Attempt = task.Attempt,
        Outcome = TaskOutcome.Cancelled,
        Error = new RemoteError { Type = CancelledType, Message = "cancelled before it started", Retryable = false },
        FinishedUnixUs = UnixTime.NowMicroseconds(),
    };

    internal static RemoteError ToRemoteError(Exception ex)
    {
        var error = new RemoteError
        {
            Type = ex.GetType().FullName ?? ex.GetType().Name,
            Message = ex.Message,
            StackTrace = ex.StackTrace ?? string.Empty,
            Retryable = ex is not (FunctionNotFoundException or ArgumentMismatchException or CodeCompilationException
                or CommandNotFoundException or JsonException or ResultNotSerializableException),
        };

        // The causes travel too (a TypeInitializationException's reason, an AggregateException's list), within bounds.
        RemoteErrorBounds.Walk(ex, error, RemoteErrorBounds.CausesOf, CauseOf, static (parent, causes) => parent.Inner.AddRange(causes));
        return error;
    }

    private static RemoteError CauseOf(Exception cause)
    {
        var bounded = RemoteErrorBounds.Cause(cause.GetType().FullName ?? cause.GetType().Name, cause.Message, cause.StackTrace);
        return new RemoteError { Type = bounded.Type, Message = bounded.Message, StackTrace = bounded.StackTrace ?? string.Empty };
    }

    private ComputationScope ScopeOf(long computation)
    {
        if (!_computations.TryGetValue(computation, out var scope))
        {
            scope = new ComputationScope(computation, _componentDirectory, _components);
            if (!Directory.Exists(scope.FilesDirectory))
            {
                scope.Close();
                throw new DirectoryNotFoundException(
                    $"the files folder of computation {computation}, {scope.FilesDirectory}, does not exist on this node; was the computation opened here?");
            }

            _computations.Add(computation, scope);
            WorkerMetrics.ComputationOpened();
        }

        return scope;
    }
}
