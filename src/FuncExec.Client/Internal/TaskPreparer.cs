using System.Collections.Concurrent;
using FuncExec.Core.Errors;
using FuncExec.Core.Functions;
using FuncExec.Core.Tasks;
using FuncExec.Node.Components;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;
using Google.Protobuf;

namespace FuncExec.Client.Internal;

/// <summary>
/// Turns task descriptions into what workers run: arguments to JSON, assemblies into the
/// component store, code strings compiled once (by content hash) into a component.
/// </summary>
internal sealed class TaskPreparer
{
    private readonly ComponentStore _components;
    private readonly CodeCompiler _compiler;
    private readonly ConcurrentDictionary<string, ComponentRef> _assemblies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CodeCall> _code = new(StringComparer.Ordinal);

    public TaskPreparer(ComponentStore components, string codeCachePath)
    {
        _components = components;
        _compiler = new CodeCompiler(codeCachePath);
    }

    /// <summary>Prepares one task. <paramref name="run"/> is shared by the tasks of one submission, so a
    /// function named by many tasks is looked up (and its assembly checked on disk) once.</summary>
    public PreparedTask Prepare(TaskSpec spec, int index, Dictionary<(string, string?), MethodCall> run)
    {
        var assignment = new TaskAssignment
        {
            ArgsJson = UnsafeByteOperations.UnsafeWrap(ParamParser.ToJsonArray(spec.Params)),
            TimeoutMs = spec.Timeout is { } timeout ? Math.Max(1, (long)timeout.TotalMilliseconds) : 0,
        };
        try
        {
            switch (spec.Kind)
            {
                case FunctionKind.Method:
                    var key = (spec.Function ?? throw new ArgumentException($"task '{spec.Name}' has no function name"), spec.Assembly);
                    if (!run.TryGetValue(key, out var call))
                    {
                        // Shared by the tasks of this submission: assignments are serialized, never mutated, below this level.
                        call = new MethodCall { Name = key.Item1, Assembly = spec.Assembly is { } path ? StoreAssembly(path) : null };
                        run[key] = call;
                    }

                    assignment.Method = call;
                    break;
                case FunctionKind.Code:
                    assignment.Code = _code.GetOrAdd(spec.Code ?? string.Empty, Compile);
                    break;
                case FunctionKind.Command:
                    assignment.Command = new CommandCall { File = spec.Command ?? string.Empty };
                    assignment.Command.Args.AddRange(spec.Args);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "unknown function kind");
            }
        }
        catch (Exception ex) when (ex is FuncExecException or IOException or BadImageFormatException or ArgumentException or InvalidDataException)
        {
            // InvalidDataException: the assembly's deps.json is broken or lists a file outside its folder.
            return new PreparedTask(null, new TaskReport
            {
                Id = 0,
                Name = spec.Name,
                State = TaskState.Failed,
                Error = new Core.Tasks.RemoteError(ex.GetType().FullName ?? ex.GetType().Name, ex.Message, null, Retryable: false),
            });
        }

        return new PreparedTask(
            new SubmittedTask(spec.Name, assignment)
            {
                Cores = spec.Cores,
                Priority = spec.Priority,
                Retries = spec.Retries,
                Tag = index,
            },
            null);
    }

    public ComponentRef StoreAssembly(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"assembly {full} does not exist", full);
        }

        // Keyed by path and write time, so a rebuilt assembly is shipped anew but a million
        // tasks from one file hash it once.
        var key = $"{full}|{File.GetLastWriteTimeUtc(full).Ticks}";
        return _assemblies.GetOrAdd(key, _ => _components.PutAssembly(full));
    }

    private CodeCall Compile(string code)
    {
        var compiled = _compiler.Compile(code);
        return new CodeCall
        {
            Image = _components.Put(compiled.Image, compiled.Hash + ".dll"),
            TypeName = compiled.TypeName,
            MethodName = compiled.MethodName,
        };
    }
}
