namespace FuncExec.Core.TaskFiles;

/// <summary>A YAML sequence or a JSON array.</summary>
internal sealed class TaskFileSequence : TaskFileNode
{
    private readonly List<TaskFileNode> _items = [];

    public TaskFileSequence(int line, int column)
        : base(line, column)
    {
    }

    /// <summary>The items in file order.</summary>
    public IReadOnlyList<TaskFileNode> Items => _items;

    /// <summary>Appends an item while the file is parsed.</summary>
    public void Add(TaskFileNode item) => _items.Add(item);

    /// <inheritdoc />
    public override string Describe() => "a list";
}
