using FuncExec.TaskFiles;

namespace FuncExec.Core.Tests.TaskFiles;

public sealed class TaskFileReaderErrorTests
{
    private const string YamlPath = "/work/jobs/tasks.yaml";
    private const string JsonPath = "/work/jobs/tasks.json";

    [Fact]
    public void Read_MissingFile_ThrowsNamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"funcexec-missing-{Guid.NewGuid():N}", "tasks.yaml");

        var error = Assert.Throws<TaskFileException>(() => TaskFileReader.Read(path));

        Assert.Equal(path, error.Path);
        Assert.Equal(0, error.Line);
        Assert.Equal($"{path}: task file not found; check the path", error.Message);
    }

    [Theory]
    [InlineData("tasks.toml", "the extension '.toml'")]
    [InlineData("tasks", "no extension")]
    public void Read_UnsupportedExtension_ListsAcceptedExtensions(string fileName, string actual)
    {
        var error = Assert.Throws<TaskFileException>(() => TaskFileReader.Read(Path.Combine("/work/jobs", fileName)));

        Assert.Equal($"a task file must end in .yaml, .yml or .json; this one has {actual}", error.Problem);
    }

    [Fact]
    public void Parse_YamlSyntaxError_ReportsLineAndColumn()
    {
        var error = YamlError("""
            tasks:
              - function: Lib.A.Run
               cores: 2
            """);

        AssertAt(error, YamlPath, 3, 4);
        Assert.StartsWith("invalid YAML: ", error.Problem, StringComparison.Ordinal);
        Assert.Equal($"{YamlPath}:3:4: {error.Problem}", error.Message);
        Assert.IsAssignableFrom<YamlDotNet.Core.YamlException>(error.InnerException);
    }

    [Fact]
    public void Parse_YamlUnclosedFlowList_ReportsWhereItEnds()
    {
        var error = YamlError("""
            - function: Lib.A.Run
              params: [1, 2
            """);

        Assert.Equal(3, error.Line);
        Assert.StartsWith("invalid YAML: ", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_JsonSyntaxError_ReportsLineAndColumn()
    {
        var error = JsonError("""
            [
              {"function": "Lib.A.Run",
               "cores": 2,,
            ]
            """);

        AssertAt(error, JsonPath, 3, 15);
        Assert.Equal("invalid JSON: ',' is an invalid start of a property name. Expected a '\"'.", error.Problem);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(error.InnerException);
    }

    [Fact]
    public void Parse_JsonErrorAfterMultibyteText_CountsColumnsInCharacters()
    {
        var error = JsonError("""[{"name": "héllo", "code": x}]""");

        AssertAt(error, JsonPath, 1, 28);
    }

    [Fact]
    public void Parse_JsonOnOneLineWithMultibyteTextInEarlierTasks_LocatesALaterKeyInCharacters()
    {
        // Serializers write a whole file on one line; each key is located from the previous one onwards.
        var error = JsonError("""[{"name": "héllo", "function": "A.B.C"}, {"name": "日本", "function": "A.B.C"}, {"name": "ü", "functoin": "A.B.C"}]""");

        AssertAt(error, JsonPath, 1, 93);
        Assert.StartsWith("unknown key 'functoin'; did you mean 'function'?", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_JsonLoneSurrogateEscape_ReportsInvalidJson()
    {
        var error = JsonError("""[{"code": "\uD800"}]""");

        AssertAt(error, JsonPath, 1, 11);
        Assert.StartsWith("invalid JSON: ", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_JsonTrailingContent_ReportsIt()
    {
        var error = JsonError("""
            [{"code": "1"}]
            x
            """);

        AssertAt(error, JsonPath, 2, 1);
        Assert.Contains("'x' is invalid after a single JSON value", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n")]
    [InlineData("# nothing here\n")]
    [InlineData("---\n")]
    [InlineData("~\n")]
    public void Parse_EmptyYaml_SaysTheFileIsEmpty(string text)
    {
        var error = YamlError(text);

        Assert.Equal(0, error.Line);
        Assert.Equal(
            $"{YamlPath}: the file is empty; write a list of tasks, or a mapping with 'tasks:' (a list) and optional 'defaults:'",
            error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \r\n ")]
    public void Parse_EmptyJson_SaysTheFileIsEmpty(string text)
    {
        var error = JsonError(text);

        Assert.Equal(0, error.Line);
        Assert.StartsWith("the file is empty", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TopLevelScalar_SaysWhatTheFileMustHold()
    {
        var error = YamlError("System.Math.Max");

        AssertAt(error, YamlPath, 1, 1);
        Assert.Equal(
            "the file must hold a list of tasks, or a mapping with 'tasks:' (a list) and optional 'defaults:', not 'System.Math.Max'",
            error.Problem);
    }

    [Fact]
    public void Parse_JsonTopLevelString_SaysWhatTheFileMustHold()
    {
        var error = JsonError("\n  \"tasks\"");

        AssertAt(error, JsonPath, 2, 3);
        Assert.EndsWith("not 'tasks'", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TopLevelMappingWithoutTasks_AsksForTasksKey()
    {
        var error = YamlError("""
            defaults:
              cores: 2
            """);

        AssertAt(error, YamlPath, 1, 1);
        Assert.Equal("the top-level mapping has no 'tasks' key; add 'tasks:' with a list of tasks", error.Problem);
    }

    [Fact]
    public void Parse_TopLevelSingleTask_AsksForAList()
    {
        var error = YamlError("""
            function: System.Math.Max
            params: [1, 2]
            """);

        AssertAt(error, YamlPath, 1, 1);
        Assert.Equal(
            "the file holds a single task, but tasks go in a list: start the task with '- ', or put it in a list under 'tasks:'",
            error.Problem);
    }

    [Fact]
    public void Parse_UnknownTopLevelKey_SuggestsTasks()
    {
        var error = YamlError("""
            task:
              - code: "1"
            """);

        AssertAt(error, YamlPath, 1, 1);
        Assert.Equal("unknown key 'task'; did you mean 'tasks'? Valid top-level keys: tasks, defaults", error.Problem);
    }

    [Fact]
    public void Parse_TasksNotAList_SaysItMustBeAList()
    {
        var error = JsonError("""
            {
              "tasks": {"code": "1"}
            }
            """);

        AssertAt(error, JsonPath, 2, 12);
        Assert.Equal("'tasks' must be a list of tasks, got a mapping", error.Problem);
    }

    [Theory]
    [InlineData("[]", 1, 1)]
    [InlineData("tasks: []", 1, 8)]
    public void Parse_EmptyTaskList_AsksForATask(string text, int line, int column)
    {
        var error = YamlError(text);

        AssertAt(error, YamlPath, line, column);
        Assert.Equal("the task list is empty; add at least one task with 'function', 'code' or 'command'", error.Problem);
    }

    [Fact]
    public void Parse_DefaultsNotAMapping_ListsItsKeys()
    {
        var error = YamlError("""
            defaults: 4
            tasks:
              - code: "1"
            """);

        AssertAt(error, YamlPath, 1, 11);
        Assert.Equal("'defaults' must be a mapping of cores, priority, timeout, retries, assembly, got '4'", error.Problem);
    }

    [Fact]
    public void Parse_TaskNotAMapping_SaysWhatATaskIs()
    {
        var error = YamlError("""
            - code: "1"
            - System.Math.Max
            """);

        AssertAt(error, YamlPath, 2, 3);
        Assert.Equal("task 2 must be a mapping with 'function', 'code' or 'command', not 'System.Math.Max'", error.Problem);
    }

    [Fact]
    public void Parse_JsonTaskNotAMapping_SaysWhatATaskIs()
    {
        var error = JsonError("""[{"code": "1"}, [1, 2]]""");

        AssertAt(error, JsonPath, 1, 17);
        Assert.Equal("task 2 must be a mapping with 'function', 'code' or 'command', not a list", error.Problem);
    }

    [Fact]
    public void Parse_TaskWithoutKind_AsksForOne()
    {
        var error = YamlError("""
            - name: lonely
              cores: 2
            """);

        AssertAt(error, YamlPath, 1, 3);
        Assert.Equal("task 'lonely' has none of 'function', 'code' or 'command'; set exactly one", error.Problem);
    }

    [Fact]
    public void Parse_UnnamedTaskWithoutKind_NamesItsPosition()
    {
        var error = JsonError("""
            [
              {"code": "1"},
              {"cores": 2}
            ]
            """);

        AssertAt(error, JsonPath, 3, 3);
        Assert.Equal("task 2 has none of 'function', 'code' or 'command'; set exactly one", error.Problem);
    }

    [Fact]
    public void Parse_TaskWithTwoKinds_NamesBoth()
    {
        var error = YamlError("""
            - name: both
              function: System.Math.Max
              code: return 1;
            """);

        AssertAt(error, YamlPath, 3, 3);
        Assert.Equal("task 'both' sets both 'function' and 'code'; keep exactly one", error.Problem);
    }

    [Fact]
    public void Parse_TaskWithThreeKinds_NamesAll()
    {
        var error = JsonError("""[{"command": "ls", "code": "1", "function": "A.B"}]""");

        AssertAt(error, JsonPath, 1, 20);
        Assert.Equal("task 1 sets 'command', 'code' and 'function'; keep exactly one", error.Problem);
    }

    [Fact]
    public void Parse_YamlUnknownKey_SuggestsTheClosest()
    {
        var error = YamlError("""
            - function: System.Math.Max
              cors: 2
            """);

        AssertAt(error, YamlPath, 2, 3);
        Assert.Equal(
            "unknown key 'cors'; did you mean 'cores'? Valid task keys: name, function, code, command, params, args, assembly, cores, priority, timeout, retries",
            error.Problem);
    }

    [Fact]
    public void Parse_JsonUnknownKey_SuggestsTheClosest()
    {
        var error = JsonError("""
            [
              {
                "fucntion": "System.Math.Max"
              }
            ]
            """);

        AssertAt(error, JsonPath, 3, 5);
        Assert.StartsWith("unknown key 'fucntion'; did you mean 'function'? Valid task keys: name, ", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("retry", "retries")]
    [InlineData("Timeout", "timeout")]
    [InlineData("param", "params")]
    [InlineData("assemblyPath", "assembly")]
    public void Parse_MisspeltKey_SuggestsTheIntendedKey(string key, string expected)
    {
        var error = YamlError($"- {{code: '1', {key}: 1}}");

        Assert.StartsWith($"unknown key '{key}'; did you mean '{expected}'?", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownKeyLikeNoOther_ListsValidKeys()
    {
        var error = YamlError("- {code: '1', gpu: 1}");

        AssertAt(error, YamlPath, 1, 15);
        Assert.Equal(
            "unknown key 'gpu'; valid task keys: name, function, code, command, params, args, assembly, cores, priority, timeout, retries",
            error.Problem);
    }

    [Fact]
    public void Parse_UnknownDefaultsKey_ListsDefaultsKeys()
    {
        var error = YamlError("""
            defaults:
              name: x
            tasks:
              - code: "1"
            """);

        AssertAt(error, YamlPath, 2, 3);
        Assert.Equal("unknown key 'name'; valid keys in 'defaults': cores, priority, timeout, retries, assembly", error.Problem);
    }

    [Fact]
    public void Parse_YamlMergeKey_PointsToDefaults()
    {
        var error = YamlError("""
            - &base {code: "1", cores: 2}
            - <<: *base
              name: b
            """);

        AssertAt(error, YamlPath, 2, 3);
        Assert.Equal("YAML merge keys ('<<') are not supported; put settings shared by all tasks under 'defaults:'", error.Problem);
    }

    [Fact]
    public void Parse_CoresNotANumber_SaysItMustBeAnInteger()
    {
        var error = YamlError("""
            - function: System.Math.Max
              cores: many
            """);

        AssertAt(error, YamlPath, 2, 10);
        Assert.Equal("'cores' must be an integer >= 1, got 'many'", error.Problem);
        Assert.Equal($"{YamlPath}:2:10: 'cores' must be an integer >= 1, got 'many'", error.Message);
    }

    [Fact]
    public void Parse_JsonCoresNotANumber_SaysItMustBeAnInteger()
    {
        var error = JsonError("""
            [{"function": "System.Math.Max",
              "cores": true}]
            """);

        AssertAt(error, JsonPath, 2, 12);
        Assert.Equal("'cores' must be an integer >= 1, got 'true'", error.Problem);
    }

    [Theory]
    [InlineData("cores: 0", "'cores' must be an integer >= 1, got '0'")]
    [InlineData("cores: -2", "'cores' must be an integer >= 1, got '-2'")]
    [InlineData("cores: 1.5", "'cores' must be an integer >= 1, got '1.5'")]
    [InlineData("cores: [1]", "'cores' must be an integer >= 1, got a list")]
    [InlineData("cores:", "'cores' must be an integer >= 1, got nothing")]
    [InlineData("cores: '2'", "'cores' must be an integer >= 1, got the quoted string '2'; remove the quotes")]
    [InlineData("cores: 99999999999", "'cores' must be an integer >= 1 no larger than 2147483647, got '99999999999'")]
    [InlineData("retries: -1", "'retries' must be an integer >= 0, got '-1'")]
    [InlineData("retries: often", "'retries' must be an integer >= 0, got 'often'")]
    [InlineData("priority: high", "'priority' must be an integer, got 'high'")]
    [InlineData("priority: {a: 1}", "'priority' must be an integer, got a mapping")]
    public void Parse_BadIntegerValue_SaysWhatIsExpected(string line, string problem)
    {
        var error = YamlError($"""
            - code: "1"
              {line}
            """);

        Assert.Equal(2, error.Line);
        Assert.Equal(problem, error.Problem);
    }

    [Fact]
    public void Parse_JsonQuotedCores_AsksToRemoveTheQuotes()
    {
        var error = JsonError("""[{"code": "1", "cores": "4"}]""");

        AssertAt(error, JsonPath, 1, 25);
        Assert.Equal("'cores' must be an integer >= 1, got the quoted string '4'; remove the quotes", error.Problem);
    }

    [Theory]
    [InlineData("soon", "'timeout' must be a number of seconds like 2.5, or a duration like '500ms', '10s', '2m', '1h' or '01:30:00', got 'soon'")]
    [InlineData("10 minutes", "'timeout' must be a number of seconds like 2.5, or a duration like '500ms', '10s', '2m', '1h' or '01:30:00', got '10 minutes'")]
    [InlineData("true", "'timeout' must be a number of seconds like 2.5, or a duration like '500ms', '10s', '2m', '1h' or '01:30:00', got 'true'")]
    [InlineData("[1]", "'timeout' must be a number of seconds like 2.5, or a duration like '500ms', '10s', '2m', '1h' or '01:30:00', got a list")]
    [InlineData("1:99:00", "'timeout' must be a number of seconds like 2.5, or a duration like '500ms', '10s', '2m', '1h' or '01:30:00', got '1:99:00'")]
    [InlineData(".nan", "'timeout' must be a number of seconds like 2.5, or a duration like '500ms', '10s', '2m', '1h' or '01:30:00', got '.nan'")]
    [InlineData("0", "'timeout' must be greater than 0, got '0'; leave it out for no timeout")]
    [InlineData("-1.5", "'timeout' must be greater than 0, got '-1.5'; leave it out for no timeout")]
    [InlineData("0ms", "'timeout' must be greater than 0, got '0ms'; leave it out for no timeout")]
    [InlineData("00:00:00", "'timeout' must be greater than 0, got '00:00:00'; leave it out for no timeout")]
    [InlineData("1000h", "'timeout' must be at most 24 days ('576h'), got '1000h'; leave it out for no timeout")]
    [InlineData(".inf", "'timeout' must be at most 24 days ('576h'), got '.inf'; leave it out for no timeout")]
    public void Parse_BadTimeout_SaysWhatIsExpected(string timeout, string problem)
    {
        var error = YamlError($"""
            - code: "1"
              timeout: {timeout}
            """);

        AssertAt(error, YamlPath, 2, 12);
        Assert.Equal(problem, error.Problem);
    }

    [Fact]
    public void Parse_BadDefaultTimeout_ReportsItsLine()
    {
        var error = JsonError("""
            {"defaults": {
               "timeout": "fast"},
             "tasks": [{"code": "1"}]}
            """);

        AssertAt(error, JsonPath, 2, 15);
        Assert.EndsWith("got 'fast'", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("function: System.Math.Max")]
    [InlineData("code: return 1;")]
    public void Parse_ArgsWithoutCommand_PointsToParams(string kindLine)
    {
        var error = YamlError($"""
            - {kindLine}
              args: [a]
            """);

        AssertAt(error, YamlPath, 2, 3);
        Assert.Equal("'args' is only valid with 'command'; pass the values of 'function' or 'code' in 'params'", error.Problem);
    }

    [Fact]
    public void Parse_ParamsWithCommand_PointsToArgs()
    {
        var error = JsonError("""[{"command": "ls", "params": ["-l"]}]""");

        AssertAt(error, JsonPath, 1, 20);
        Assert.Equal("'params' is only valid with 'function' or 'code'; pass a command's arguments in 'args'", error.Problem);
    }

    [Theory]
    [InlineData("code: return 1;", "code")]
    [InlineData("command: ls", "command")]
    public void Parse_AssemblyWithoutFunction_SaysItNeedsFunction(string kindLine, string kind)
    {
        var error = YamlError($"""
            - {kindLine}
              assembly: Lib.dll
            """);

        AssertAt(error, YamlPath, 2, 3);
        Assert.Equal($"'assembly' is only valid with 'function', not with '{kind}'; remove it", error.Problem);
    }

    [Fact]
    public void Parse_YamlDuplicateTaskName_NamesTheFirstLine()
    {
        var error = YamlError("""
            tasks:
              - name: b
                code: "1"
              - name: a
                code: "2"
              - name: a
                code: "3"
            """);

        AssertAt(error, YamlPath, 6, 11);
        Assert.Equal("duplicate task name 'a' (first defined at line 4); give each task its own name", error.Problem);
    }

    [Fact]
    public void Parse_JsonDuplicateTaskName_NamesTheFirstLine()
    {
        var error = JsonError("""
            [
              {"name": "a", "code": "1"},
              {"name": "a", "code": "2"}
            ]
            """);

        AssertAt(error, JsonPath, 3, 12);
        Assert.StartsWith("duplicate task name 'a' (first defined at line 2)", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NameClashingWithDefaultName_ExplainsTheDefault()
    {
        var error = YamlError("""
            - name: task-2
              code: "1"
            - code: "2"
            """);

        AssertAt(error, YamlPath, 3, 3);
        Assert.Equal(
            "duplicate task name 'task-2' (first defined at line 1); a task without 'name' is called task-N by its position, so name this one",
            error.Problem);
    }

    [Fact]
    public void Parse_YamlDuplicateKey_NamesTheFirstLine()
    {
        var error = YamlError("""
            - code: "1"
              cores: 2
              cores: 3
            """);

        AssertAt(error, YamlPath, 3, 3);
        Assert.Equal("duplicate key 'cores' (first at line 2); keep only one", error.Problem);
    }

    [Fact]
    public void Parse_JsonDuplicateKey_NamesTheFirstLine()
    {
        var error = JsonError("""
            [{"code": "1",
              "code": "2"}]
            """);

        AssertAt(error, JsonPath, 2, 3);
        Assert.Equal("duplicate key 'code' (first at line 1); keep only one", error.Problem);
    }

    [Theory]
    [InlineData("name: {a: 1}", "'name' must be a non-empty string, got a mapping")]
    [InlineData("name: ''", "'name' must be a non-empty string, got an empty string")]
    [InlineData("name: ~", "'name' must be a non-empty string, got '~'")]
    public void Parse_BadName_SaysWhatIsExpected(string line, string problem)
    {
        var error = YamlError($"""
            - code: "1"
              {line}
            """);

        AssertAt(error, YamlPath, 2, 9);
        Assert.Equal(problem, error.Problem);
    }

    [Theory]
    [InlineData("function: Max", "'Max'")]
    [InlineData("function: 3.5", "'3.5'")]
    [InlineData("function: System..Max", "'System..Max'")]
    [InlineData("function: System.Math. Max", "'System.Math. Max'")]
    [InlineData("function: [System.Math.Max]", "a list")]
    public void Parse_BadFunctionName_ShowsTheExpectedForm(string line, string got)
    {
        var error = YamlError($"- {line}");

        AssertAt(error, YamlPath, 1, 13);
        Assert.Equal($"'function' must be the full name of a static method, like 'System.Math.Max', got {got}", error.Problem);
    }

    [Fact]
    public void Parse_FunctionWrittenAsACall_PointsToParams()
    {
        var error = YamlError("- function: System.Math.Max(1, 2)");

        AssertAt(error, YamlPath, 1, 13);
        Assert.Equal(
            "'function' must be a method's name, not a call; pass the arguments in 'params', got 'System.Math.Max(1, 2)'", error.Problem);
    }

    [Theory]
    [InlineData("code:", "'code' must be C# source, got nothing")]
    [InlineData("code: '  '", "'code' must be C# source, got an empty string")]
    [InlineData("command: [ls, -l]", "'command' must be the executable to run, got a list")]
    public void Parse_EmptyOrWrongKindValue_SaysWhatIsExpected(string line, string problem)
    {
        var error = YamlError($"- {line}");

        Assert.Equal(1, error.Line);
        Assert.Equal(problem, error.Problem);
    }

    [Fact]
    public void Parse_ParamsMapping_AsksForAList()
    {
        var error = YamlError("""
            - function: Lib.A.Run
              params: {a: 1}
            """);

        AssertAt(error, YamlPath, 2, 11);
        Assert.Equal(
            "'params' must be a list of values, or a single scalar for one parameter; to pass one object, put it in a list: 'params: [{a: 1}]'",
            error.Problem);
    }

    [Fact]
    public void Parse_InfiniteParam_SaysJsonCannotHoldIt()
    {
        var error = YamlError("""
            - function: Lib.A.Run
              params: [1, [2, -.inf]]
            """);

        AssertAt(error, YamlPath, 2, 19);
        Assert.Equal("'-.inf' cannot be a parameter: JSON has no infinity or NaN; quote it to pass a string", error.Problem);
    }

    [Theory]
    [InlineData("args: -l /tmp", 9, "'args' must be a list of strings, like 'args: [\"-l\", \"/tmp\"]', got '-l /tmp'")]
    [InlineData("args: {a: 1}", 9, "'args' must be a list of strings, like 'args: [\"-l\", \"/tmp\"]', got a mapping")]
    [InlineData("args: [a, [b]]", 13, "each item of 'args' must be a string, number or boolean, not a list")]
    [InlineData("args: [a, ~]", 13, "an item of 'args' cannot be null ('~'); quote it, or write \"\" for an empty argument")]
    public void Parse_BadArgs_SaysWhatIsExpected(string line, int column, string problem)
    {
        var error = YamlError($"""
            - command: ls
              {line}
            """);

        AssertAt(error, YamlPath, 2, column);
        Assert.Equal(problem, error.Problem);
    }

    [Fact]
    public void Parse_UndefinedAlias_AsksForTheAnchor()
    {
        var error = YamlError("""
            - function: Lib.A.Run
              params: *shared
            """);

        AssertAt(error, YamlPath, 2, 11);
        Assert.Equal("alias '*shared' refers to no anchor; define '&shared' on a complete value before this point", error.Problem);
    }

    [Fact]
    public void Parse_AliasInsideItsOwnAnchor_IsRejectedInsteadOfLooping()
    {
        var error = YamlError("""
            - function: Lib.A.Run
              params: &loop [1, *loop]
            """);

        AssertAt(error, YamlPath, 2, 21);
        Assert.StartsWith("alias '*loop' refers to no anchor", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TwoYamlDocuments_AsksForOne()
    {
        var error = YamlError("""
            - code: "1"
            ---
            - code: "2"
            """);

        AssertAt(error, YamlPath, 2, 1);
        Assert.Equal(
            "the file holds more than one YAML document; put all tasks in one list under a single 'tasks:'", error.Problem);
    }

    [Fact]
    public void Parse_YamlComplexKey_SaysKeysAreNames()
    {
        var error = YamlError("""
            - ? [a, b]
              : 1
            """);

        AssertAt(error, YamlPath, 1, 5);
        Assert.Equal("a key must be a name, not a list", error.Problem);
    }

    [Fact]
    public void Parse_YamlNestedTooDeep_IsRejected()
    {
        var error = YamlError($"- {{code: '1', params: {new string('[', 80)}{new string(']', 80)}}}");

        Assert.Equal(1, error.Line);
        Assert.Equal("values are nested more than 64 levels deep", error.Problem);
    }

    private static TaskFileException YamlError(string text) =>
        Assert.Throws<TaskFileException>(() => TaskFileReader.Parse(text, YamlPath, TaskFileFormat.Yaml));

    private static TaskFileException JsonError(string text) =>
        Assert.Throws<TaskFileException>(() => TaskFileReader.Parse(text, JsonPath, TaskFileFormat.Json));

    private static void AssertAt(TaskFileException error, string path, int line, int column)
    {
        Assert.Equal(path, error.Path);
        Assert.Equal((line, column), (error.Line, error.Column));
    }
}
