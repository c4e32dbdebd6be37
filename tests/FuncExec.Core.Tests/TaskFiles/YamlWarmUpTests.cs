using FuncExec.TaskFiles;

namespace FuncExec.Core.Tests.TaskFiles;

/// <summary>The YAML warm-up <c>funcexec run</c> starts beside its command line's parse (issue 14: start-up).</summary>
public sealed class YamlWarmUpTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("funcexec-yamlwarmup-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Theory]
    [InlineData("tasks.yaml", true)]
    [InlineData("TASKS.YML", true)]
    [InlineData("dir.yaml/tasks.json", false)]
    [InlineData("tasks.json", false)]
    [InlineData("--workers", false)]
    public void IsYaml_Path_ByTheExtensionTaskFileOpenReads(string path, bool expected) =>
        Assert.Equal(expected, YamlWarmUp.IsYaml(path));

    [Fact]
    public void Start_WhileAFileIsRead_EndsAndTheFileReadsAsWithout()
    {
        var path = Path.Combine(_dir.FullName, "one.yaml");
        File.WriteAllText(path, "tasks:\n  - name: max\n    function: System.Math.Max\n    params: [1, 2]\n");

        var warmUp = YamlWarmUp.Start();
        using var file = TaskFile.Open(path);
        var task = Assert.Single(file.ReadTasks());
        warmUp.Join();

        Assert.Equal("max", task.Name);
        Assert.Equal("System.Math.Max", task.Function);
        Assert.False(warmUp.IsAlive);
    }
}
