using System.Reflection;
using System.Text;
using System.Text.Json;
using FuncExec.Core.Functions.Lambdas;

namespace FuncExec.Core.Tests.Functions.Lambdas;

/// <summary>Issue 14: the typed chunk runner gives the bytes and the errors of calling the method once per item.</summary>
public sealed class MapChunkRunnerTests
{
    [Theory]
    [InlineData(nameof(MapJobs.Square), "[[0],[1],[-7],[46340],[2147483647]]")]
    [InlineData(nameof(MapJobs.Twice), "[[1],[-4611686018427387904],[0]]")]
    [InlineData(nameof(MapJobs.Inverse), "[[1],[0],[-0.0],[4],[3],[1e-320]]")]
    [InlineData(nameof(MapJobs.Not), "[[true],[false]]")]
    [InlineData(nameof(MapJobs.Echo), """[["a"],[null],["héllo \"x\" <b> \u2028"],[""]]""")]
    [InlineData(nameof(MapJobs.Maybe), "[[1],[null]]")]
    [InlineData(nameof(MapJobs.Bump), """[[{"customer":"Ann","quantity":1,"priority":"Low"}],[{"Customer":"Bé","Quantity":2,"Priority":"Urgent"}]]""")]
    [InlineData(nameof(MapJobs.Raise), """[["Low"],["urgent"],[42]]""")]
    [InlineData(nameof(LambdaJobs.Half), "[[1.5],[\"NaN\"],[\"-Infinity\"]]")]
    public void Run_OneArgumentMethods_SameBytesAsEachItemCalledAlone(string name, string chunk)
    {
        var bound = Bind(name);
        var runner = bound.ChunkRunner;
        Assert.NotNull(runner);
        var called = 0;

        var bytes = runner.Run(Encoding.UTF8.GetBytes(chunk), ref called);

        Assert.Equal(EachAlone(bound, chunk), Encoding.UTF8.GetString(bytes));
        using var document = JsonDocument.Parse(chunk);
        Assert.Equal(document.RootElement.GetArrayLength(), called);
    }

    [Theory]
    [InlineData(nameof(LambdaJobs.DoubleLaterAsync))]
    [InlineData(nameof(LambdaJobs.Add))]
    [InlineData(nameof(MapJobs.Boxed))]
    [InlineData(nameof(MapJobs.WithToken))]
    [InlineData(nameof(LambdaJobs.Log))]
    public void ChunkRunner_AwaitablePolymorphicVoidOrManyParameters_NoneSoTheGeneralPathRunsIt(string name) =>
        Assert.Null(Bind(name).ChunkRunner);

    [Theory]
    [InlineData("[[1],[2,3]]")]
    [InlineData("[[1],[]]")]
    [InlineData("[[1],[\"x\"]]")]
    [InlineData("[[1],[1.5]]")]
    [InlineData("[[1],[99999999999]]")]
    [InlineData("[[1],7]")]
    public void Run_AnItemThatIsNotOneArgument_TheErrorOfThatItemCalledAlone(string chunk)
    {
        var bound = Bind(nameof(MapJobs.Square));
        using var document = JsonDocument.Parse(chunk);
        var bad = document.RootElement[1].GetRawText();
        var alone = Assert.ThrowsAny<Exception>(() => bound.Invoke(Encoding.UTF8.GetBytes(bad), null));
        var called = 0;

        var error = Assert.ThrowsAny<Exception>(() => bound.ChunkRunner!.Run(Encoding.UTF8.GetBytes(chunk), ref called));

        Assert.Equal(alone.GetType(), error.GetType());
        Assert.Equal(alone.Message, error.Message);
        Assert.Equal(2, called);
    }

    [Theory]
    [InlineData("[[1],[2],[3]")]
    [InlineData("[[1],[2],[3]]]")]
    [InlineData("[[1],[2],[3],]")]
    [InlineData("[[1],[2]] [[3]]")]
    public void Run_ChunkThatIsNotJson_FailsBeforeAnyItemRuns(string chunk)
    {
        var bound = Bind(nameof(MapJobs.Counted));
        var before = MapJobs.Calls;
        var called = 0;

        Assert.ThrowsAny<JsonException>(() => bound.ChunkRunner!.Run(Encoding.UTF8.GetBytes(chunk), ref called));

        Assert.Equal(before, MapJobs.Calls);
        Assert.Equal(0, called);
    }

    [Fact]
    public void Run_ChunkThatIsNotAnArray_SaysWhatAChunkIs()
    {
        var called = 0;

        var error = Assert.Throws<InvalidDataException>(() => Bind(nameof(MapJobs.Square)).ChunkRunner!.Run("{\"a\":1}"u8, ref called));

        Assert.Contains("array of argument arrays", error.Message, StringComparison.Ordinal);
    }

    private static BoundLambda Bind(string name)
    {
        var method = typeof(MapJobs).GetMethod(name, BindingFlags.Public | BindingFlags.Static)
            ?? typeof(LambdaJobs).GetMethods(BindingFlags.Public | BindingFlags.Static).First(m => m.Name == name);
        return BoundLambda.Create(method);
    }

    private static string EachAlone(BoundLambda bound, string chunk)
    {
        using var document = JsonDocument.Parse(chunk);
        var results = document.RootElement.EnumerateArray()
            .Select(item => Encoding.UTF8.GetString(bound.SerializeResult(bound.Invoke(Encoding.UTF8.GetBytes(item.GetRawText()), null))));
        return "[" + string.Join(",", results) + "]";
    }
}
