using FuncExec.Client.Internal;

namespace FuncExec.Client.Tests.Internal;

/// <summary>Issue 14: a map chunk's result comes from a node, and is read into the map's results only when it is exactly
/// its items' results; anything else fails the map with an error naming the chunk and the worker.</summary>
public sealed class MapResultsTests
{
    [Fact]
    public void Read_AsManyResultsAsItems_EachInItsPlace()
    {
        var results = new int[6];

        MapResults.Read(Report("[4,5,6]"), results, 3, 3);
        MapResults.Read(Report(" [1, 2 ,3] "), results, 0, 3);

        Assert.Equal([1, 2, 3, 4, 5, 6], results);
    }

    [Fact]
    public void Read_ValuesOfEveryKind_AsTheSerializerReadsThem()
    {
        var texts = new string?[3];
        var numbers = new double[3];
        var points = new SamplePoint?[2];

        MapResults.Read(Report("""["a","h\u00e9",null]"""), texts, 0, 3);
        MapResults.Read(Report("""[1.5,"NaN","-Infinity"]"""), numbers, 0, 3);
        MapResults.Read(Report("""[{"x":1,"y":2},null]"""), points, 0, 2);

        Assert.Equal<IEnumerable<string?>>(["a", "hé", null], texts);
        Assert.Equal([1.5, double.NaN, double.NegativeInfinity], numbers);
        Assert.Equal<IEnumerable<SamplePoint?>>([new SamplePoint(1, 2), null], points);
    }

    [Theory]
    [InlineData("[1,2]", "2 results")]
    [InlineData("[]", "0 results")]
    [InlineData("[1,2,3,4]", "more results than that")]
    [InlineData("[1,2,3", "does not read as 3 values")]
    [InlineData("[1,2,", "does not read as 3 values")]
    [InlineData("[1,2,3] [4]", "does not read as 3 values")]
    [InlineData("[1,2,3]]", "does not read as 3 values")]
    [InlineData("[1,\"two\",3]", "does not read as 3 values")]
    [InlineData("[1,2.5,3]", "does not read as 3 values")]
    [InlineData("{\"a\":1}", "not a JSON array")]
    [InlineData("3", "not a JSON array")]
    [InlineData("null", "not a JSON array")]
    [InlineData("", "returned")]
    public void Read_ResultThatIsNotItsItemsResults_FailsNamingTheChunkAndTheWorker(string json, string expected)
    {
        var results = new int[5];

        var error = Assert.Throws<TaskFailedException>(() => MapResults.Read(Report(json), results, 1, 3));

        Assert.Equal(MapResults.InvalidType, error.RemoteType);
        Assert.Equal(TaskState.Failed, error.State);
        Assert.Contains(expected, error.RemoteMessage, StringComparison.Ordinal);
        Assert.Contains("Square[0..2]", error.RemoteMessage, StringComparison.Ordinal);
        Assert.Contains("rogue/worker-1", error.RemoteMessage, StringComparison.Ordinal);
        Assert.Null(error.Report.ResultJson);
        Assert.Equal([0, 0, 0, 0, 0], results);
    }

    [Fact]
    public void Read_BytesThatAreNotUtf8_FromANode_FailsNamingTheChunk_AndKeepsNothing()
    {
        // A report holds the bytes the node sent, not a decoding of them: 0xFF 0xFE in a string is read as what it is.
        var report = new TaskReport { Id = 17, Name = "Square[0..2]", State = TaskState.Succeeded, ResultUtf8 = new byte[] { (byte)'[', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)',', (byte)'1', (byte)']' }, Worker = "rogue/worker-1" };
        var strings = new string[2];

        var error = Assert.Throws<TaskFailedException>(() => MapResults.Read(report, strings, 0, 2));

        Assert.Equal(MapResults.InvalidType, error.RemoteType);
        Assert.Contains("Square[0..2]", error.RemoteMessage, StringComparison.Ordinal);
        Assert.All(strings, Assert.Null);
    }

    [Fact]
    public void Read_NoResult_Fails()
    {
        var error = Assert.Throws<TaskFailedException>(() => MapResults.Read(Report(null), new int[1], 0, 1));

        Assert.Contains("no result", error.RemoteMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ResultOverTheCapAWorkerHoldsResultsTo_FailsWithoutReadingIt()
    {
        var huge = "[" + new string(' ', MapResults.MaxResultBytes) + "1]";

        var error = Assert.Throws<TaskFailedException>(() => MapResults.Read(Report(huge), new int[1], 0, 1));

        Assert.Contains("over the", error.RemoteMessage, StringComparison.Ordinal);
        Assert.False(error.Error!.Retryable);
    }

    private static TaskReport Report(string? json) => new()
    {
        Id = 17,
        Name = "Square[0..2]",
        State = TaskState.Succeeded,
        ResultJson = json,
        Worker = "rogue/worker-1",
    };

    public sealed record SamplePoint(int X, int Y);
}
