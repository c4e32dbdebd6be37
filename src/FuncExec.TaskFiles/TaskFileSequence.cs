namespace FuncExec.TaskFiles;

/// <summary>A YAML sequence or a JSON array.</summary>
internal sealed class TaskFileSequence : TaskFileNode
{
    private readonly List<TaskFileNode> _items = [];

    public TaskFileSequence(int line, int column, bool isStreamed = false)
        : base(line, column)
    {
        IsStreamed = isStreamed;
    }

    /// <summary>The file's task list, whose items are read one at a time (see <see cref="ITaskFileStream"/>)
    /// and never added here.</summary>
    public bool IsStreamed { get; }

    /// <summary>The items in file order.</summary>
    public IReadOnlyList<TaskFileNode> Items => _items;

    /// <summary>Appends an item while the file is parsed.</summary>
    public void Add(TaskFileNode item) => _items.Add(item);

    /// <inheritdoc />
    public override string Describe() => "a list";
}
