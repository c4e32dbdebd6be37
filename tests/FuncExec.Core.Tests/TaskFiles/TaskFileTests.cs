using FuncExec.TaskFiles;

namespace FuncExec.Core.Tests.TaskFiles;

/// <summary>A task file checked whole, then read one task at a time (issue 10: memory flat with file length).</summary>
public sealed class TaskFileTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("funcexec-taskfile-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData("tasks.yaml", "tasks:\n  - function: A.B\n  - function: A.C\n    cores: 2\ndefaults:\n  cores: 3\n  priority: 4\n")]
    [InlineData("tasks.json", """{"tasks": [{"function": "A.B"}, {"function": "A.C", "cores": 2}], "defaults": {"cores": 3, "priority": 4}}""")]
    public void Open_DefaultsAfterTheTasks_ApplyToEveryTaskReadAfterwards(string name, string text)
    {
        using var file = TaskFile.Open(Write(name, text));

        var tasks = file.ReadTasks().ToList();

        Assert.Equal(2, file.Count);
        Assert.Equal([3, 2], tasks.Select(t => t.Cores));
        Assert.All(tasks, t => Assert.Equal(4, t.Priority));
        Assert.Equal(3, file.MaxCores);
        Assert.Equal("task-1", file.WidestTaskName);
    }

    [Fact]
    public void Open_ManyTasks_CountsThemAndReadsThemAgainInOrder()
    {
        var text = "- function: System.Math.Abs\n  params: [-1]\n";
        using var file = TaskFile.Open(Write("many.yaml", string.Concat(Enumerable.Repeat(text, 10_000))));

        Assert.Equal(10_000, file.Count);
        Assert.Equal(10_000, file.ReadTasks().Count());
        Assert.Equal("task-10000", file.ReadTasks().Last().Name);
    }

    [Fact]
    public void Open_UnknownTopLevelKeyAfterABadTask_ReportsTheKeyFirst()
    {
        var path = Write("bad.yaml", "tasks:\n  - function: A.B\n    cors: 2\nextra: 1\n");

        var error = Assert.Throws<TaskFileException>(() => TaskFile.Open(path));

        Assert.Contains("unknown key 'extra'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_WrittenNameOfALaterUnnamedTask_IsADuplicate()
    {
        var path = Write("names.yaml", "- name: task-2\n  function: A.B\n- function: A.C\n");

        var error = Assert.Throws<TaskFileException>(() => TaskFile.Open(path));

        Assert.Contains("duplicate task name 'task-2' (first defined at line 1)", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void Open_NameOfAnEarlierUnnamedTask_IsADuplicate()
    {
        var path = Write("names.yaml", "- function: A.B\n- name: task-1\n  function: A.C\n- name: task-01\n  function: A.D\n");

        var error = Assert.Throws<TaskFileException>(() => TaskFile.Open(path));

        Assert.Contains("duplicate task name 'task-1' (first defined at line 1); give each task its own name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_SyntaxErrorAfterABadTask_ReportsTheSyntaxError()
    {
        var path = Write("broken.yaml", "- function: A.B\n  cors: 2\n- function: [unclosed\n");

        var error = Assert.Throws<TaskFileException>(() => TaskFile.Open(path));

        Assert.Contains("invalid YAML", error.Message, StringComparison.Ordinal);
    }
}
