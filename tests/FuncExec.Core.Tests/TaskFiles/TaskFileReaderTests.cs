using System.Text.Json;
using FuncExec.Core.Tasks;
using FuncExec.TaskFiles;

namespace FuncExec.Core.Tests.TaskFiles;

public sealed class TaskFileReaderTests
{
    private const string YamlPath = "/work/jobs/tasks.yaml";
    private const string JsonPath = "/work/jobs/tasks.json";

    [Fact]
    public void Parse_YamlFunctionWithParams_ReturnsMethodTaskWithJsonParams()
    {
        var tasks = Yaml("""
            - name: max
              function: System.Math.Max
              params: [3, 2.5, "7", true, null, [1, [2, 3]], {a: 1, b: [x]}, text]
            """);

        var task = Assert.Single(tasks);
        Assert.Equal("max", task.Name);
        Assert.Equal(FunctionKind.Method, task.Kind);
        Assert.Equal("System.Math.Max", task.Function);
        Assert.Equal(
            ["3", "2.5", "\"7\"", "true", "null", "[1,[2,3]]", "{\"a\":1,\"b\":[\"x\"]}", "\"text\""],
            task.Params.Select(p => p.GetRawText()));
        Assert.Equal(JsonValueKind.Number, task.Params[0].ValueKind);
        Assert.Equal(3, task.Params[0].GetInt32());
        Assert.Null(task.Code);
        Assert.Null(task.Command);
        Assert.Empty(task.Args);
    }

    [Fact]
    public void Parse_JsonFunctionWithParams_ReturnsMethodTaskWithJsonParams()
    {
        var tasks = Json("""
            [
              {
                "name": "max",
                "function": "System.Math.Max",
                "params": [3, 2.5, "7", true, null, [1, [2, 3]], {"a": 1, "b": ["x"]}, "text"]
              }
            ]
            """);

        var task = Assert.Single(tasks);
        Assert.Equal("max", task.Name);
        Assert.Equal(FunctionKind.Method, task.Kind);
        Assert.Equal("System.Math.Max", task.Function);
        Assert.Equal(
            ["3", "2.5", "\"7\"", "true", "null", "[1,[2,3]]", "{\"a\":1,\"b\":[\"x\"]}", "\"text\""],
            task.Params.Select(p => p.GetRawText()));
    }

    [Fact]
    public void Parse_YamlBlockParams_ReturnsNestedArraysAndObjects()
    {
        var tasks = Yaml("""
            - function: Lib.Matrix.Sum
              params:
                - - [1, 2]
                  - [3, 4]
                - options:
                    scale: 0.5
                    labels: [a, b]
            """);

        Assert.Equal(
            ["[[1,2],[3,4]]", "{\"options\":{\"scale\":0.5,\"labels\":[\"a\",\"b\"]}}"],
            tasks[0].Params.Select(p => p.GetRawText()));
    }

    [Theory]
    [InlineData("params: 42", "42")]
    [InlineData("params: hello", "\"hello\"")]
    [InlineData("params: '42'", "\"42\"")]
    [InlineData("params: null", "null")]
    public void Parse_SingleScalarParams_ReturnsOneParameter(string line, string expected)
    {
        var tasks = Yaml($"""
            - function: System.Math.Abs
              {line}
            """);

        Assert.Equal([expected], tasks[0].Params.Select(p => p.GetRawText()));
    }

    [Fact]
    public void Parse_JsonSingleScalarParams_ReturnsOneParameter()
    {
        var tasks = Json("""[{"function": "System.Math.Abs", "params": -4}]""");

        Assert.Equal(["-4"], tasks[0].Params.Select(p => p.GetRawText()));
    }

    [Fact]
    public void Parse_EmptyParams_ReturnsNoParameters()
    {
        var tasks = Yaml("""
            - function: System.Environment.get_ProcessorCount
              params:
            """);

        Assert.Empty(tasks[0].Params);
    }

    [Fact]
    public void Parse_YamlCoreSchemaScalars_BecomeMatchingJson()
    {
        var tasks = Yaml("""
            - function: Lib.Values.Take
              params: [0x10, 0o17, +5, -0, 1e3, .5, 123456789012345678901234567890, ~, "", 'null', True, !!str 12, "tab\there"]
            """);

        Assert.Equal(
            ["16", "15", "5", "0", "1e3", "0.5", "123456789012345678901234567890", "null", "\"\"", "\"null\"", "true", "\"12\"", "\"tab\\there\""],
            tasks[0].Params.Select(p => p.GetRawText()));
    }

    [Fact]
    public void Parse_YamlCode_ReturnsCodeTaskWithParams()
    {
        var tasks = Yaml("""
            - name: sum
              code: |
                var total = 0;
                foreach (var x in args) total += x.GetInt32();
                return total;
              params: [1, 2, 3]
            """);

        var task = Assert.Single(tasks);
        Assert.Equal(FunctionKind.Code, task.Kind);
        Assert.Equal("var total = 0;\nforeach (var x in args) total += x.GetInt32();\nreturn total;\n", task.Code);
        Assert.Null(task.Function);
        Assert.Equal(["1", "2", "3"], task.Params.Select(p => p.GetRawText()));
    }

    [Fact]
    public void Parse_JsonCode_ReturnsCodeTask()
    {
        var tasks = Json("""{"tasks": [{"code": "return 1 + 2;"}]}""");

        Assert.Equal(FunctionKind.Code, tasks[0].Kind);
        Assert.Equal("return 1 + 2;", tasks[0].Code);
    }

    [Fact]
    public void Parse_YamlCommandWithArgs_ReturnsArgsAsWritten()
    {
        var tasks = Yaml("""
            - command: ls
              args: [-l, 3, 2.50, true, "quoted text", 0x1F]
            """);

        var task = Assert.Single(tasks);
        Assert.Equal(FunctionKind.Command, task.Kind);
        Assert.Equal("ls", task.Command);
        Assert.Equal(["-l", "3", "2.50", "true", "quoted text", "0x1F"], task.Args);
        Assert.Empty(task.Params);
    }

    [Fact]
    public void Parse_JsonCommandWithArgs_ReturnsArgsAsStrings()
    {
        var tasks = Json("""[{"command": "sleep", "args": ["-x", 1.50, false]}]""");

        Assert.Equal("sleep", tasks[0].Command);
        Assert.Equal(["-x", "1.50", "false"], tasks[0].Args);
    }

    [Fact]
    public void Parse_CommandNamedTrue_ReadsTheText()
    {
        var tasks = Yaml("- command: true");

        Assert.Equal("true", tasks[0].Command);
    }

    [Fact]
    public void Parse_NoOptionalFields_UsesTaskSpecDefaults()
    {
        var tasks = Yaml("""
            - function: System.Math.Abs
            - code: "1"
            """);

        Assert.Equal(["task-1", "task-2"], tasks.Select(t => t.Name));
        Assert.All(tasks, t =>
        {
            Assert.Equal(1, t.Cores);
            Assert.Equal(0, t.Priority);
            Assert.Null(t.Timeout);
            Assert.Equal(0, t.Retries);
            Assert.Null(t.Assembly);
        });
    }

    [Fact]
    public void Parse_YamlEveryOptionalField_ReadsEach()
    {
        var tasks = Yaml("""
            tasks:
              - name: heavy
                function: Lib.Work.Run
                params: [1]
                assembly: lib/Lib.dll
                cores: 4
                priority: -3
                timeout: 90s
                retries: 2
            """);

        var task = Assert.Single(tasks);
        Assert.Equal("heavy", task.Name);
        Assert.Equal("/work/jobs/lib/Lib.dll", task.Assembly);
        Assert.Equal(4, task.Cores);
        Assert.Equal(-3, task.Priority);
        Assert.Equal(TimeSpan.FromSeconds(90), task.Timeout);
        Assert.Equal(2, task.Retries);
        Assert.Equal($"{YamlPath}:2", task.Source);
    }

    [Fact]
    public void Parse_JsonEveryOptionalField_ReadsEach()
    {
        var tasks = Json("""
            {
              "tasks": [
                {
                  "name": "heavy",
                  "function": "Lib.Work.Run",
                  "params": [1],
                  "assembly": "../bin/Lib.dll",
                  "cores": 4,
                  "priority": 10,
                  "timeout": 2.5,
                  "retries": 2,
                },
              ],
            }
            """);

        var task = Assert.Single(tasks);
        Assert.Equal("/work/bin/Lib.dll", task.Assembly);
        Assert.Equal(4, task.Cores);
        Assert.Equal(10, task.Priority);
        Assert.Equal(TimeSpan.FromSeconds(2.5), task.Timeout);
        Assert.Equal(2, task.Retries);
        Assert.Equal($"{JsonPath}:3", task.Source);
    }

    [Fact]
    public void Parse_AbsoluteAssembly_IsKept()
    {
        var tasks = Yaml("""
            - function: Lib.Work.Run
              assembly: /opt/lib/Lib.dll
            """);

        Assert.Equal("/opt/lib/Lib.dll", tasks[0].Assembly);
    }

    [Fact]
    public void Parse_YamlDefaults_ApplyToTasksThatDoNotSetThem()
    {
        var tasks = Yaml("""
            defaults:
              cores: 2
              priority: 5
              timeout: 1m
              retries: 3
              assembly: Lib.dll
            tasks:
              - function: Lib.A.Run
              - function: Lib.B.Run
                cores: 8
                priority: 0
                timeout: 500ms
                retries: 0
                assembly: /other/Other.dll
              - command: echo
              - code: return 1;
                timeout: null
            """);

        Assert.Equal([2, 8, 2, 2], tasks.Select(t => t.Cores));
        Assert.Equal([5, 0, 5, 5], tasks.Select(t => t.Priority));
        Assert.Equal([TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(1), null], tasks.Select(t => t.Timeout));
        Assert.Equal([3, 0, 3, 3], tasks.Select(t => t.Retries));

        // Only function tasks take an assembly; the default does not reach the others.
        Assert.Equal(["/work/jobs/Lib.dll", "/other/Other.dll", null, null], tasks.Select(t => t.Assembly));
    }

    [Fact]
    public void Parse_JsonDefaults_ApplyToTasksThatDoNotSetThem()
    {
        var tasks = Json("""
            {
              "defaults": {"cores": 2, "timeout": "00:00:30", "retries": 1},
              "tasks": [
                {"function": "Lib.A.Run"},
                {"function": "Lib.B.Run", "cores": 1, "retries": 5}
              ]
            }
            """);

        Assert.Equal([2, 1], tasks.Select(t => t.Cores));
        Assert.Equal([TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)], tasks.Select(t => t.Timeout));
        Assert.Equal([1, 5], tasks.Select(t => t.Retries));
    }

    [Theory]
    [InlineData("2.5", 2500)]
    [InlineData("3", 3000)]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("01:30:05", 5_405_000)]
    [InlineData("'45'", 45_000)]
    [InlineData("\"2 m\"", 120_000)]
    public void Parse_TimeoutForms_ReturnsTimeSpan(string timeout, double milliseconds)
    {
        var tasks = Yaml($"""
            - function: Lib.A.Run
              timeout: {timeout}
            """);

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), tasks[0].Timeout);
    }

    [Fact]
    public void Parse_Sources_NamePathAndLineOfEachTask()
    {
        var tasks = Yaml("""
            # two tasks
            - function: Lib.A.Run

            - name: b
              code: "1"
            """);

        Assert.Equal([$"{YamlPath}:2", $"{YamlPath}:4"], tasks.Select(t => t.Source));
    }

    [Fact]
    public void Parse_YamlAlias_ReusesAnchoredValue()
    {
        var tasks = Yaml("""
            - function: Lib.A.Run
              params: &shared [1, 2]
            - function: Lib.B.Run
              params: *shared
            """);

        Assert.Equal("[1,2]", JsonSerializer.Serialize(tasks[1].Params));
    }

    [Fact]
    public void Parse_NumericName_ReadsTheText()
    {
        var tasks = Yaml("""
            - name: 7
              code: "1"
            """);

        Assert.Equal("7", tasks[0].Name);
    }

    [Fact]
    public void Parse_SameTasksInBothFormats_GiveSameSpecs()
    {
        var yaml = Yaml("""
            defaults: {cores: 2}
            tasks:
              - {name: a, function: Lib.A.Run, params: [1, [2, "3"]], timeout: 5s}
              - {command: echo, args: [hi, 1]}
            """);
        var json = Json("""
            {"defaults": {"cores": 2}, "tasks": [
              {"name": "a", "function": "Lib.A.Run", "params": [1, [2, "3"]], "timeout": "5s"},
              {"command": "echo", "args": ["hi", 1]}]}
            """);

        Assert.Equal(yaml.Count, json.Count);
        for (var i = 0; i < yaml.Count; i++)
        {
            Assert.Equal(yaml[i] with { Params = [], Args = [], Source = null }, json[i] with { Params = [], Args = [], Source = null });
            Assert.Equal(yaml[i].Params.Select(p => p.GetRawText()), json[i].Params.Select(p => p.GetRawText()));
            Assert.Equal(yaml[i].Args, json[i].Args);
        }
    }

    [Fact]
    public void Parse_ByteOrderMark_IsIgnored()
    {
        var tasks = TaskFileReader.Parse("\uFEFF[{\"code\": \"1\"}]", JsonPath, TaskFileFormat.Json);

        Assert.Single(tasks);
    }

    [Theory]
    [InlineData("tasks.yaml", "- function: Lib.A.Run\n  cores: 2\n")]
    [InlineData("tasks.yml", "- function: Lib.A.Run\n  cores: 2\n")]
    [InlineData("TASKS.YAML", "- function: Lib.A.Run\n  cores: 2\n")]
    [InlineData("tasks.json", "[{\"function\": \"Lib.A.Run\", \"cores\": 2}]")]
    public void Read_FileByExtension_ParsesItsFormat(string fileName, string content)
    {
        var directory = Directory.CreateTempSubdirectory("funcexec-taskfiles-");
        try
        {
            var path = Path.Combine(directory.FullName, fileName);
            File.WriteAllText(path, content);

            var task = Assert.Single(TaskFileReader.Read(path));

            Assert.Equal("Lib.A.Run", task.Function);
            Assert.Equal(2, task.Cores);
            Assert.Equal($"{path}:1", task.Source);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Read_RelativeAssembly_ResolvesAgainstTheFilesDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("funcexec-taskfiles-");
        try
        {
            var path = Path.Combine(directory.FullName, "tasks.yaml");
            File.WriteAllText(path, "- function: Lib.A.Run\n  assembly: bin/Lib.dll\n");

            var task = Assert.Single(TaskFileReader.Read(path));

            Assert.Equal(Path.Combine(directory.FullName, "bin", "Lib.dll"), task.Assembly);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Parse_ReadmeExample_ReadsEveryKindOfTask()
    {
        var tasks = Yaml("""
            # tasks.yaml: one task of each kind
            defaults:
              timeout: 5m
              retries: 1

            tasks:
              # A public static method by its full name; params are JSON-like values.
              - name: biggest
                function: System.Math.Max
                params: [3, 7]

              # A method in your own assembly (a relative path resolves against this file).
              - name: invert
                function: MyLib.Matrices.Invert
                assembly: bin/MyLib.dll
                params:
                  - [[4, 7], [2, 6]]
                  - {pivot: true, tolerance: 1e-9}
                cores: 4
                priority: 10
                timeout: 90s
                retries: 3

              # C# source: statements ending in a return, or a single expression.
              - name: answer
                code: |
                  var x = 6;
                  return x * 7;

              # An executable; each arg is passed as the text written.
              - command: gzip
                args: [-k, -9, data.csv]
                timeout: "00:10:00"
            """);

        Assert.Equal(["biggest", "invert", "answer", "task-4"], tasks.Select(t => t.Name));
        Assert.Equal([FunctionKind.Method, FunctionKind.Method, FunctionKind.Code, FunctionKind.Command], tasks.Select(t => t.Kind));
        Assert.Equal(["3", "7"], tasks[0].Params.Select(p => p.GetRawText()));
        Assert.Equal(["[[4,7],[2,6]]", "{\"pivot\":true,\"tolerance\":1e-9}"], tasks[1].Params.Select(p => p.GetRawText()));
        Assert.Equal("/work/jobs/bin/MyLib.dll", tasks[1].Assembly);
        Assert.Equal((4, 10, 3), (tasks[1].Cores, tasks[1].Priority, tasks[1].Retries));
        Assert.Equal(
            [TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(90), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10)],
            tasks.Select(t => t.Timeout));
        Assert.Equal("var x = 6;\nreturn x * 7;\n", tasks[2].Code);
        Assert.Equal(["-k", "-9", "data.csv"], tasks[3].Args);
        Assert.Equal($"{YamlPath}:31", tasks[3].Source);
    }

    [Fact]
    public void Parse_EmptyDefaults_MeansNoDefaults()
    {
        var tasks = Yaml("""
            defaults:
            tasks:
              - code: "1"
            """);

        Assert.Equal(1, tasks[0].Cores);
    }

    private static IReadOnlyList<TaskSpec> Yaml(string text) => TaskFileReader.Parse(text, YamlPath, TaskFileFormat.Yaml);

    private static IReadOnlyList<TaskSpec> Json(string text) => TaskFileReader.Parse(text, JsonPath, TaskFileFormat.Json);
}
