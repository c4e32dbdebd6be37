using System.Text;

namespace FuncExec.Core.Tests.Tasks;

/// <summary>A report holds its result as the text it was given or as the UTF-8 bytes a worker wrote; either way it is
/// the same value.</summary>
public sealed class TaskReportTests
{
    private static TaskReport FromText(string? json) => new() { Id = 4, Name = "Square[0..2]", State = TaskState.Succeeded, ResultJson = json, Worker = "n/worker-0" };

    private static TaskReport FromBytes(string json) => new() { Id = 4, Name = "Square[0..2]", State = TaskState.Succeeded, ResultUtf8 = Encoding.UTF8.GetBytes(json), Worker = "n/worker-0" };

    [Theory]
    [InlineData("[1,4,9]")]
    [InlineData("\"h\u00e9llo \u2603\"")]
    [InlineData("null")]
    public void AReportFromBytes_ReadsAsItsText_AndEqualsTheReportMadeFromTheText(string json)
    {
        var fromBytes = FromBytes(json);
        var fromText = FromText(json);

        Assert.Equal(json, fromBytes.ResultJson);
        Assert.Equal(Encoding.UTF8.GetBytes(json), fromText.ResultUtf8.ToArray());
        Assert.Equal(fromText, fromBytes);
        Assert.Equal(fromText.GetHashCode(), fromBytes.GetHashCode());
        Assert.NotEqual(fromText, FromBytes("[1,4,10]"));
        Assert.NotEqual(fromText, fromBytes with { Attempts = 2 });
    }

    [Fact]
    public void EmptyBytes_AreNoResult_AndSettingTheTextReplacesTheBytes()
    {
        Assert.Null(FromBytes(string.Empty).ResultJson);
        Assert.Equal(FromText(null), FromBytes(string.Empty));

        var replaced = FromBytes("[1]") with { ResultJson = "[2]" };
        Assert.Equal("[2]", replaced.ResultJson);
        Assert.Equal("[2]"u8.ToArray(), replaced.ResultUtf8.ToArray());
        Assert.True((FromBytes("[1]") with { ResultJson = null }).ResultUtf8.IsEmpty);
    }
}
