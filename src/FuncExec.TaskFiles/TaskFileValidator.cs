namespace FuncExec.TaskFiles;

/// <summary>
/// Checks the shape of a parsed task file and turns it into <see cref="TaskSpec"/>s; the first
/// problem found is thrown as a <see cref="TaskFileException"/> at the node that has it.
/// </summary>
/// <remarks>This part reads the file's structure; <c>TaskFileValidator.Values.cs</c> reads the values.</remarks>
internal sealed partial class TaskFileValidator
{
    private static readonly string[] TopLevelKeys = ["tasks", "defaults"];
    private static readonly string[] DefaultsKeys = ["cores", "priority", "timeout", "retries", "assembly"];
    private static readonly string[] KindKeys = ["function", "code", "command"];
    private static readonly string[] TaskKeys =
        ["name", "function", "code", "command", "params", "args", "assembly", "cores", "priority", "timeout", "retries"];

    private readonly string _path;
    private readonly string _directory;

    // Set while Check reads the file: what a task's values would be is checked, not built.
    private bool _checkOnly;

    /// <summary>Creates a validator for the file at <paramref name="path"/>, against whose
    /// directory relative assembly paths resolve.</summary>
    public TaskFileValidator(string path)
        : this(path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? Directory.GetCurrentDirectory())
    {
    }

    /// <summary>Creates a validator for tasks that come from <paramref name="source"/> (named in errors),
    /// against whose <paramref name="directory"/> relative assembly paths resolve.</summary>
    public TaskFileValidator(string source, string directory)
    {
        _path = source;
        _directory = directory;
    }

    /// <summary>Checks every task of the file <paramref name="stream"/> reads, one at a time, as
    /// <see cref="Read"/> will read them; the first problem is thrown.</summary>
    /// <remarks>Problems of the top level (an unknown key, bad <c>defaults:</c>) come before those of
    /// tasks wherever they are in the file, as they would if the file were read whole first.</remarks>
    public TaskFileShape Check(ITaskFileStream stream)
    {
        var root = stream.Start();
        if (root is null or TaskFileScalar { Kind: TaskFileScalarKind.Null })
        {
            throw new TaskFileException(
                _path, 0, 0, "the file is empty; write a list of tasks, or a mapping with 'tasks:' (a list) and optional 'defaults:'");
        }

        var names = new NameCheck();
        var widest = new WidestTask();
        TaskFileException? firstProblem = null;
        var count = 0;
        void Take(TaskFileNode node)
        {
            count++;
            if (firstProblem is not null)
            {
                return; // The rest is still read: a syntax error further on comes first.
            }

            try
            {
                var (spec, nameNode) = ReadTask(node, count, TaskDefaults.None);
                names.Add(this, spec.Name, nameNode, node, count);
                widest.Add(spec, ((TaskFileMapping)node).Get("cores") is not null);
            }
            catch (TaskFileException problem)
            {
                firstProblem = problem;
            }
        }

        _checkOnly = true;
        TaskFileSequence tasks;
        TaskDefaults defaults;
        try
        {
            while (stream.NextTask() is { } task)
            {
                Take(task);
            }

            (tasks, defaults) = ReadTopLevel(root);
            if (!tasks.IsStreamed)
            {
                foreach (var task in tasks.Items)
                {
                    Take(task);
                }
            }
        }
        finally
        {
            _checkOnly = false;
        }

        if (count == 0)
        {
            throw Error(tasks, "the task list is empty; add at least one task with 'function', 'code' or 'command'");
        }

        if (firstProblem is not null)
        {
            throw firstProblem;
        }

        var (name, source, cores) = widest.With(defaults);
        return new TaskFileShape(count, defaults, name, source, cores);
    }

    /// <summary>The tasks of a file <see cref="Check"/> found valid, read one at a time from a new <paramref name="stream"/>.</summary>
    public IEnumerable<TaskSpec> Read(ITaskFileStream stream, TaskDefaults defaults)
    {
        var root = stream.Start() ?? throw new TaskFileException(_path, 0, 0, "the file is empty now; it changed while it was read");
        var position = 0;
        while (stream.NextTask() is { } task)
        {
            yield return ReadTask(task, ++position, defaults).Spec;
        }

        var (tasks, _) = ReadTopLevel(root);
        if (!tasks.IsStreamed)
        {
            foreach (var task in tasks.Items)
            {
                yield return ReadTask(task, ++position, defaults).Spec;
            }
        }
    }

    /// <summary>The one task <paramref name="root"/> defines (a mapping, not a list), named
    /// <paramref name="defaultName"/> unless it has a <c>name</c>.</summary>
    public TaskSpec ValidateTask(TaskFileNode? root, string defaultName)
    {
        if (root is not TaskFileMapping)
        {
            throw new TaskFileException(
                _path, root?.Line ?? 0, root?.Column ?? 0, $"a task must be a JSON object with 'function', 'code' or 'command', not {(root is null ? "nothing" : Describe(root))}");
        }

        var (spec, nameNode) = ReadTask(root, 1, TaskDefaults.None);
        return nameNode is null ? spec with { Name = defaultName } : spec;
    }

    private static string Label(string name, TaskFileNode? nameNode, int position) =>
        nameNode is null ? $"task {position}" : $"task '{name}'";

    private static string JoinKeys(List<string> keys) =>
        keys.Count == 2
            ? $"both '{keys[0]}' and '{keys[1]}'"
            : string.Join(", ", keys.Take(keys.Count - 1).Select(k => $"'{k}'")) + $" and '{keys[^1]}'";

    private (TaskFileSequence Tasks, TaskDefaults Defaults) ReadTopLevel(TaskFileNode root)
    {
        switch (root)
        {
            case TaskFileSequence sequence:
                return (sequence, TaskDefaults.None);

            case TaskFileMapping mapping:
                var tasksNode = mapping.Get("tasks");
                if (tasksNode is null && KindKeys.Any(k => mapping.Get(k) is not null))
                {
                    throw Error(
                        mapping,
                        "the file holds a single task, but tasks go in a list: start the task with '- ', or put it in a list under 'tasks:'");
                }

                CheckKeys(mapping, TopLevelKeys, "top-level keys");
                if (tasksNode is null)
                {
                    throw Error(mapping, "the top-level mapping has no 'tasks' key; add 'tasks:' with a list of tasks");
                }

                if (tasksNode is not TaskFileSequence tasks)
                {
                    throw Error(tasksNode, $"'tasks' must be a list of tasks, got {Describe(tasksNode)}");
                }

                var defaultsNode = mapping.Get("defaults");
                return (tasks, defaultsNode is null or TaskFileScalar { Kind: TaskFileScalarKind.Null, IsQuoted: false }
                    ? TaskDefaults.None
                    : ReadDefaults(defaultsNode));

            default:
                throw Error(
                    root, $"the file must hold a list of tasks, or a mapping with 'tasks:' (a list) and optional 'defaults:', not {Describe(root)}");
        }
    }

    private TaskDefaults ReadDefaults(TaskFileNode node)
    {
        if (node is not TaskFileMapping mapping)
        {
            throw Error(node, $"'defaults' must be a mapping of {string.Join(", ", DefaultsKeys)}, got {Describe(node)}");
        }

        CheckKeys(mapping, DefaultsKeys, "keys in 'defaults'");
        return new TaskDefaults(
            Cores: ReadOptional(mapping, "cores", ReadCores),
            Priority: ReadOptional(mapping, "priority", ReadPriority),
            Timeout: mapping.Get("timeout") is { } timeout ? ReadTimeout(timeout) : null,
            Retries: ReadOptional(mapping, "retries", ReadRetries),
            Assembly: mapping.Get("assembly") is { } assembly ? ReadAssembly(assembly) : null);
    }

    private (TaskSpec Spec, TaskFileNode? NameNode) ReadTask(TaskFileNode node, int position, TaskDefaults defaults)
    {
        if (node is not TaskFileMapping mapping)
        {
            throw Error(node, $"task {position} must be a mapping with 'function', 'code' or 'command', not {Describe(node)}");
        }

        CheckKeys(mapping, TaskKeys, "task keys");
        var nameNode = mapping.Get("name");
        var name = nameNode is null ? $"task-{position}" : ReadText(nameNode, "name", "a non-empty string");
        var label = Label(name, nameNode, position);

        var kindKeys = mapping.Entries.Select(e => e.Key).Where(k => KindKeys.Contains(k.Text)).ToList();
        if (kindKeys.Count == 0)
        {
            throw Error(mapping, $"{label} has none of 'function', 'code' or 'command'; set exactly one");
        }

        if (kindKeys.Count > 1)
        {
            throw Error(kindKeys[1], $"{label} sets {JoinKeys(kindKeys.Select(k => k.Text).ToList())}; keep exactly one");
        }

        var kind = kindKeys[0].Text switch
        {
            "function" => FunctionKind.Method,
            "code" => FunctionKind.Code,
            _ => FunctionKind.Command,
        };
        CheckApplicable(mapping, kind);

        var paramsNode = mapping.Get("params");
        var argsNode = mapping.Get("args");
        var spec = new TaskSpec
        {
            Name = name,
            Kind = kind,
            Function = kind == FunctionKind.Method ? ReadFunctionName(mapping.Get("function")!) : null,
            Code = kind == FunctionKind.Code ? ReadText(mapping.Get("code")!, "code", "C# source") : null,
            Command = kind == FunctionKind.Command ? ReadText(mapping.Get("command")!, "command", "the executable to run") : null,
            Params = paramsNode is null ? [] : ReadParams(paramsNode),
            Args = argsNode is null ? [] : ReadArgs(argsNode),
            Assembly = kind != FunctionKind.Method ? null
                : mapping.Get("assembly") is { } assembly ? ReadAssembly(assembly) : defaults.Assembly,
            Cores = ReadOptional(mapping, "cores", ReadCores) ?? defaults.Cores ?? 1,
            Priority = ReadOptional(mapping, "priority", ReadPriority) ?? defaults.Priority ?? 0,
            Timeout = mapping.Get("timeout") is { } timeout ? ReadTimeout(timeout) : defaults.Timeout,
            Retries = ReadOptional(mapping, "retries", ReadRetries) ?? defaults.Retries ?? 0,
            Source = $"{_path}:{mapping.Line}",
        };
        return (spec, nameNode);
    }

    // Keys that belong to another kind of task are reported before their values are read.
    private void CheckApplicable(TaskFileMapping mapping, FunctionKind kind)
    {
        if (kind != FunctionKind.Command && mapping.GetKey("args") is { } args)
        {
            throw Error(args, "'args' is only valid with 'command'; pass the values of 'function' or 'code' in 'params'");
        }

        if (kind == FunctionKind.Command && mapping.GetKey("params") is { } parameters)
        {
            throw Error(parameters, "'params' is only valid with 'function' or 'code'; pass a command's arguments in 'args'");
        }

        if (kind != FunctionKind.Method && mapping.GetKey("assembly") is { } assembly)
        {
            throw Error(assembly, $"'assembly' is only valid with 'function', not with '{(kind == FunctionKind.Code ? "code" : "command")}'; remove it");
        }
    }

    private void CheckKeys(TaskFileMapping mapping, string[] validKeys, string validKeysName)
    {
        foreach (var (key, _) in mapping.Entries)
        {
            if (validKeys.Contains(key.Text))
            {
                continue;
            }

            if (key.Text == "<<")
            {
                throw Error(key, "YAML merge keys ('<<') are not supported; put settings shared by all tasks under 'defaults:'");
            }

            var closest = KeySuggester.Closest(key.Text, validKeys);
            var suggestion = closest is null ? $"; valid {validKeysName}" : $"; did you mean '{closest}'? Valid {validKeysName}";
            throw Error(key, $"unknown key '{key.Text}'{suggestion}: {string.Join(", ", validKeys)}");
        }
    }

    private TaskFileException Error(TaskFileNode node, string problem) => new(_path, node.Line, node.Column, problem);

    /// <summary>Task names seen so far, kept small for a file of a million tasks: the names written,
    /// and for each task without one (named task-N by its position) only its line.</summary>
    private sealed class NameCheck
    {
        private const string DefaultPrefix = "task-";
        private readonly Dictionary<string, int> _written = new(StringComparer.Ordinal);

        // By position - 1: the line of a task named by its position, or -1 for a task that names itself.
        private readonly List<int> _unnamedLines = [];

        public void Add(TaskFileValidator validator, string name, TaskFileNode? nameNode, TaskFileNode task, int position)
        {
            var at = nameNode ?? task;
            if (nameNode is null)
            {
                _unnamedLines.Add(task.Line);
                if (_written.Count > 0 && _written.TryGetValue(name, out var first))
                {
                    throw validator.Error(
                        at, $"duplicate task name '{name}' (first defined at line {first}); a task without 'name' is called task-N by its position, so name this one");
                }

                return;
            }

            _unnamedLines.Add(-1);
            if (_written.TryGetValue(name, out var line)
                || (IsPositionName(name, out var earlier) && earlier < position && (line = _unnamedLines[earlier - 1]) >= 0))
            {
                throw validator.Error(at, $"duplicate task name '{name}' (first defined at line {line}); give each task its own name");
            }

            _written.Add(name, at.Line);
        }

        private static bool IsPositionName(string name, out int position)
        {
            position = 0;
            return name.StartsWith(DefaultPrefix, StringComparison.Ordinal)
                && int.TryParse(name.AsSpan(DefaultPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out position)
                && position > 0
                && name.Length == DefaultPrefix.Length + position.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        }
    }

    /// <summary>The task that asks for the most cores: among those that set <c>cores</c>, and the first
    /// that does not (it takes <c>defaults:</c>, known only once the whole file is read).</summary>
    private sealed class WidestTask
    {
        private (string Name, string Source, int Cores)? _widest;
        private (string Name, string Source)? _firstUnset;

        public void Add(TaskSpec spec, bool setsCores)
        {
            if (!setsCores)
            {
                _firstUnset ??= (spec.Name, spec.Source ?? string.Empty);
            }
            else if (_widest is null || spec.Cores > _widest.Value.Cores)
            {
                _widest = (spec.Name, spec.Source ?? string.Empty, spec.Cores);
            }
        }

        public (string Name, string Source, int Cores) With(TaskDefaults defaults)
        {
            var unsetCores = defaults.Cores ?? 1;
            return _firstUnset is { } unset && (_widest is null || unsetCores > _widest.Value.Cores)
                ? (unset.Name, unset.Source, unsetCores)
                : _widest!.Value;
        }
    }
}
