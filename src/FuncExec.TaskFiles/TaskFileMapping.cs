namespace FuncExec.TaskFiles;

/// <summary>A YAML mapping or a JSON object; keys are scalars and keep their file order.</summary>
internal sealed class TaskFileMapping : TaskFileNode
{
    private readonly List<KeyValuePair<TaskFileScalar, TaskFileNode>> _entries = [];
    private readonly Dictionary<string, KeyValuePair<TaskFileScalar, TaskFileNode>> _byKey = new(StringComparer.Ordinal);

    public TaskFileMapping(int line, int column)
        : base(line, column)
    {
    }

    /// <summary>The entries in file order.</summary>
    public IReadOnlyList<KeyValuePair<TaskFileScalar, TaskFileNode>> Entries => _entries;

    /// <summary>Adds an entry while the file is parsed.</summary>
    /// <returns>False, with the key seen first, if the mapping already has <paramref name="key"/>.</returns>
    public bool TryAdd(TaskFileScalar key, TaskFileNode value, out TaskFileScalar existingKey)
    {
        if (_byKey.TryGetValue(key.Text, out var existing))
        {
            existingKey = existing.Key;
            return false;
        }

        var entry = new KeyValuePair<TaskFileScalar, TaskFileNode>(key, value);
        _entries.Add(entry);
        _byKey.Add(key.Text, entry);
        existingKey = key;
        return true;
    }

    /// <summary>The value under <paramref name="key"/>, if the mapping has it.</summary>
    public TaskFileNode? Get(string key) => _byKey.TryGetValue(key, out var entry) ? entry.Value : null;

    /// <summary>The key node named <paramref name="key"/>, if the mapping has it.</summary>
    public TaskFileScalar? GetKey(string key) => _byKey.TryGetValue(key, out var entry) ? entry.Key : null;

    /// <inheritdoc />
    public override string Describe() => "a mapping";
}
