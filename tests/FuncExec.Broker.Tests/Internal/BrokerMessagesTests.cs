using System.Text;
using System.Text.Json;
using FuncExec.Broker.Internal;
using FuncExec.Core.Tasks;

namespace FuncExec.Broker.Tests.Internal;

public sealed class BrokerMessagesTests
{
    [Fact]
    public void EncodeTask_MethodWithEverySetting_DecodesToTheSameTask()
    {
        var task = TaskSpec.ForMethod("System.Math.Max", 3, 7) with
        {
            Name = "max", Cores = 2, Priority = 4, Timeout = TimeSpan.FromSeconds(2.5), Retries = 1, Assembly = "/opt/jobs/Jobs.dll",
        };

        var decoded = BrokerMessages.DecodeTask(BrokerMessages.EncodeTask(task), "id-1", "/tmp");

        Assert.Equal(
            (task.Name, task.Kind, task.Function, task.Cores, task.Priority, task.Timeout, task.Retries, task.Assembly),
            (decoded.Name, decoded.Kind, decoded.Function, decoded.Cores, decoded.Priority, decoded.Timeout, decoded.Retries, decoded.Assembly));
        Assert.Equal([3, 7], decoded.Params.Select(p => p.GetInt32()));
    }

    [Fact]
    public void EncodeTask_Command_KeepsItsArguments()
    {
        var decoded = BrokerMessages.DecodeTask(BrokerMessages.EncodeTask(TaskSpec.ForCommand("echo", "a b", "c")), "id", "/tmp");

        Assert.Equal(FunctionKind.Command, decoded.Kind);
        Assert.Equal(["a b", "c"], decoded.Args);
    }

    [Fact]
    public void DecodeTask_NoName_IsNamedByItsId()
    {
        var decoded = BrokerMessages.DecodeTask("""{"code": "return 1;"}"""u8, "abc", "/tmp");

        Assert.Equal("abc", decoded.Name);
        Assert.Equal("message abc:1", decoded.Source);
    }

    [Fact]
    public void DecodeTask_RelativeAssembly_ResolvesAgainstTheBaseDirectory()
    {
        var decoded = BrokerMessages.DecodeTask("""{"function": "Jobs.F", "assembly": "lib/Jobs.dll"}"""u8, "abc", "/srv/funcexec");

        Assert.Equal("/srv/funcexec/lib/Jobs.dll", decoded.Assembly);
    }

    [Theory]
    [InlineData("""{"function": "System.Math.Max", "parms": [1]}""", "unknown key 'parms'; did you mean 'params'?")]
    [InlineData("""{"name": "x"}""", "none of 'function', 'code' or 'command'")]
    [InlineData("""[{"code": "1"}]""", "a task must be a JSON object")]
    [InlineData("""{"code": """, "invalid JSON")]
    [InlineData("", "a task must be a JSON object")]
    public void DecodeTask_NotATask_ThrowsNamingTheMessageAndProblem(string body, string problem)
    {
        var e = Assert.Throws<TaskFileException>(() => BrokerMessages.DecodeTask(Encoding.UTF8.GetBytes(body), "m-7", "/tmp"));

        Assert.StartsWith("message m-7", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EncodeResult_Report_DecodesWithTaskIdAndEveryField()
    {
        var report = new TaskReport
        {
            Id = 12, Name = "max", State = TaskState.Failed, ResultJson = """{"a":[1,2]}""",
            Error = new RemoteError("System.InvalidOperationException", "no", "at X"), Worker = "n/worker-1", Cores = [0, 1],
            Started = DateTimeOffset.UnixEpoch, Finished = DateTimeOffset.UnixEpoch.AddSeconds(1), Attempts = 2, Output = "out",
        };

        var body = BrokerMessages.EncodeResult("id-9", report, redelivered: true);
        var (taskId, decoded) = BrokerMessages.DecodeResult(body);

        Assert.Equal("id-9", taskId);
        Assert.Equal(report with { Cores = [], Error = null }, decoded with { Cores = [], Error = null });
        Assert.Equal([0, 1], decoded.Cores);
        Assert.Equal(report.Error with { Retryable = true }, decoded.Error);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("task_id", json.RootElement.EnumerateObject().First().Name);
        Assert.True(json.RootElement.GetProperty("redelivered").GetBoolean());
    }

    [Fact]
    public void DecodeResult_NotJson_ThrowsFormatException() =>
        Assert.Throws<FormatException>(() => BrokerMessages.DecodeResult("nope"u8.ToArray()));

    [Theory]
    [InlineData(-5, 0)]
    [InlineData(0, 0)]
    [InlineData(7, 7)]
    [InlineData(99, 10)]
    public void MessagePriority_TaskPriority_ClampedToTheQueuesRange(int priority, byte expected) =>
        Assert.Equal(expected, TaskQueueTopology.MessagePriority(priority));
}
