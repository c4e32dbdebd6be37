using System.Collections.Concurrent;
using FuncExec.Client.Compilation;
using FuncExec.Core.Functions;
using FuncExec.Core.Tasks;
using FuncExec.Node.Components;
using FuncExec.Protocol;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;
using Google.Protobuf;

namespace FuncExec.Client.Internal;

/// <summary>
/// Turns task descriptions into what workers run: arguments to JSON, assemblies into the
/// component store, code strings compiled once (by content hash) into a component. The code
/// strings of one submission compile together (<see cref="CodeCompiler.CompileMany"/>), so many
/// of them share one image, stored and shipped once.
/// </summary>
internal sealed class TaskPreparer
{
    private readonly ComponentStore _components;
    private readonly CodeCompiler _compiler;
    private readonly ConcurrentDictionary<string, ComponentRef> _assemblies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CodeCall> _code = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ComponentRef> _images = new(StringComparer.Ordinal);

    // The assemblies looked up on disk lately, by the path a task named: a path named again within RecheckAfter is not
    // looked up again (two file-system calls a task, on the path of every submission).
    private readonly ConcurrentDictionary<string, Checked> _checked = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public TaskPreparer(ComponentStore components, string codeCachePath, TimeProvider? time = null)
    {
        _components = components;
        _compiler = new CodeCompiler(codeCachePath);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>How long an assembly found on disk is taken as it was, for the tasks that name it after: one rebuilt
    /// in place is shipped anew to the tasks submitted this long after.</summary>
    public static readonly TimeSpan RecheckAfter = TimeSpan.FromSeconds(1);

    /// <summary>Prepares the tasks of one submission, each with its index (from <paramref name="firstIndex"/>) as its tag.
    /// A task that cannot be prepared (a code that does not compile, a missing assembly) is refused alone: it is left
    /// out, and <paramref name="refused"/> hears of it with its index and the report of why.</summary>
    /// <returns>The tasks ready for the scheduler, in order.</returns>
    public List<SubmittedTaskSpec> Prepare(IReadOnlyList<TaskSpec> specs, Action<int, TaskReport> refused, int firstIndex = 0)
    {
        var ready = new List<SubmittedTaskSpec>(specs.Count);
        Prepare(specs, refused, ready, firstIndex);
        return ready;
    }

    /// <summary>As <see cref="Prepare(IReadOnlyList{TaskSpec}, Action{int, TaskReport}, int)"/>, adding the tasks ready to
    /// <paramref name="ready"/> (a submission's own list, so a large one is not gathered twice).</summary>
    public void Prepare(IReadOnlyList<TaskSpec> specs, Action<int, TaskReport> refused, ICollection<SubmittedTaskSpec> ready, int firstIndex = 0)
    {
        CompileCode(specs);

        // Shared by the tasks of a submission of many, so a function named by many tasks is looked up
        // (and its assembly checked on disk) once.
        var run = specs.Count > 1 ? new Dictionary<(string, string?), MethodCall>() : null;
        for (var i = 0; i < specs.Count; i++)
        {
            if (Prepare(specs[i], firstIndex + i, run, out var report) is { } task)
            {
                ready.Add(task);
            }
            else
            {
                refused(firstIndex + i, report!);
            }
        }
    }

    public ComponentRef StoreAssembly(string path)
    {
        var now = _time.GetTimestamp();
        if (_checked.TryGetValue(path, out var recent) && _time.GetElapsedTime(recent.At, now) < RecheckAfter)
        {
            return recent.Component;
        }

        var component = LookUpAssembly(path);
        _checked[path] = new Checked(component, now);
        return component;
    }

    private ComponentRef LookUpAssembly(string path)
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

    /// <summary>Compiles the new code strings of a submission together, ahead of preparing its tasks one by one.</summary>
    private void CompileCode(IReadOnlyList<TaskSpec> specs)
    {
        var codes = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            if (spec.Kind == FunctionKind.Code && spec.Code is { } code && !_code.ContainsKey(code) && seen.Add(code))
            {
                codes.Add(code);
            }
        }

        if (codes.Count < 2)
        {
            return;
        }

        var results = _compiler.CompileMany(codes);
        for (var i = 0; i < codes.Count; i++)
        {
            // A code that does not compile is left out: Compile meets the same error in the
            // compiler's cache, and it fails that task alone.
            if (results[i].Code is { } compiled)
            {
                _code.TryAdd(codes[i], ToCall(compiled));
            }
        }
    }

    private SubmittedTaskSpec? Prepare(TaskSpec spec, int index, Dictionary<(string, string?), MethodCall>? run, out TaskReport? refused)
    {
        refused = null;
        var assignment = new TaskAssignment
        {
            ArgsJson = UnsafeByteOperations.UnsafeWrap(ParamParser.ToJsonArray(spec.Params)),
            TimeoutMs = TaskTimeouts.ToMilliseconds(spec.Timeout, "TaskSpec.Timeout"),
        };
        try
        {
            switch (spec.Kind)
            {
                case FunctionKind.Method:
                    var key = (spec.Function ?? throw new ArgumentException($"task '{spec.Name}' has no function name"), spec.Assembly);
                    if (run is null || !run.TryGetValue(key, out var call))
                    {
                        // Shared by the tasks of this submission: assignments are serialized, never mutated, below this level.
                        call = new MethodCall { Name = key.Item1, Assembly = spec.Assembly is { } path ? StoreAssembly(path) : null };
                        run?.Add(key, call);
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
            refused = new TaskReport
            {
                Id = 0,
                Name = spec.Name,
                State = TaskState.Failed,
                Error = new FuncExec.RemoteError(ex.GetType().FullName ?? ex.GetType().Name, ex.Message, null, Retryable: false),
            };
            return null;
        }

        var task = new SubmittedTaskSpec
        {
            Name = spec.Name,
            Assignment = assignment,
            Cores = spec.Cores,
            Priority = spec.Priority,
            Retries = spec.Retries,
            Tag = index,
        };
        SubmitTracing.Trace(task);
        return task;
    }

    private CodeCall Compile(string code) => ToCall(_compiler.Compile(code));

    private CodeCall ToCall(CompiledCode compiled) => new()
    {
        // An image shared by many codes is hashed into the store once.
        Image = _images.GetOrAdd(compiled.ImageName, static (name, state) => state.Components.Put(state.Image, name + ".dll"), (Components: _components, compiled.Image)),
        TypeName = compiled.TypeName,
        MethodName = compiled.MethodName,
    };

    private sealed record Checked(ComponentRef Component, long At);
}
