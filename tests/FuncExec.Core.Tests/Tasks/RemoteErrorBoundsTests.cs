using System.Diagnostics;
using System.Text;
using System.Text.Json;
using FuncExec.Core.Tasks;

namespace FuncExec.Core.Tests.Tasks;

public sealed class RemoteErrorBoundsTests
{
    private static int Depth(IReadOnlyList<RemoteError> inner)
    {
        var depth = 0;
        for (var level = inner; level.Count > 0; level = level[0].Inner)
        {
            depth++;
        }

        return depth;
    }

    private static int Count(IReadOnlyList<RemoteError> inner) => inner.Sum(e => 1 + Count(e.Inner));

    private static RemoteError DeepModel(int depth)
    {
        var error = new RemoteError("E", "bottom");
        for (var i = 0; i < depth; i++)
        {
            error = new RemoteError("E", $"level {i}") { Inner = [error] };
        }

        return error;
    }

    [Fact]
    public void FromException_PlainInnerException_OneCauseWithItsTypeMessageAndStack()
    {
        Exception thrown;
        try
        {
            try
            {
                _ = int.Parse("x", System.Globalization.CultureInfo.InvariantCulture);
                throw new UnreachableException();
            }
            catch (FormatException e)
            {
                throw new InvalidOperationException("outer", e);
            }
        }
        catch (InvalidOperationException e)
        {
            thrown = e;
        }

        var cause = Assert.Single(RemoteErrorBounds.FromException(thrown));

        Assert.Equal("System.FormatException", cause.Type);
        Assert.Contains(nameof(RemoteErrorBoundsTests), cause.StackTrace, StringComparison.Ordinal);
        Assert.Empty(cause.Inner);
    }

    [Fact]
    public void FromException_Aggregate_EveryInnerExceptionInOrder()
    {
        var aggregate = new AggregateException(new ArgumentException("a"), new TimeoutException("b", new IOException("c")));

        var causes = RemoteErrorBounds.FromException(aggregate);

        Assert.Equal(["a", "b"], causes.Select(c => c.Message));
        Assert.Equal("c", Assert.Single(causes[1].Inner).Message);
        Assert.Null(causes[0].StackTrace);
    }

    [Fact]
    public void FromException_TenThousandDeepChain_CutToMaxDepth()
    {
        Exception ex = new InvalidOperationException("bottom");
        for (var i = 0; i < 10_000; i++)
        {
            ex = new InvalidOperationException($"level {i}", ex);
        }

        var causes = RemoteErrorBounds.FromException(ex);

        Assert.Equal(RemoteErrorBounds.MaxDepth, Depth(causes));
        Assert.Equal(RemoteErrorBounds.MaxDepth, Count(causes));
    }

    [Fact]
    public void FromException_HundredThousandWideAggregate_CutToMaxInner()
    {
        var aggregate = new AggregateException(Enumerable.Range(0, 100_000).Select(i => new InvalidOperationException($"{i}")));

        var causes = RemoteErrorBounds.FromException(aggregate);

        Assert.Equal(RemoteErrorBounds.MaxInner, causes.Count);
        Assert.Equal("0", causes[0].Message);
    }

    [Fact]
    public void FromException_AggregateOfDeepChains_BreadthFirstKeepsEveryDirectCause()
    {
        static Exception Chain(string name)
        {
            Exception ex = new IOException(name);
            for (var i = 0; i < 20; i++)
            {
                ex = new IOException(name, ex);
            }

            return ex;
        }

        var causes = RemoteErrorBounds.FromException(new AggregateException(Chain("a"), Chain("b"), Chain("c")));

        Assert.Equal(["a", "b", "c"], causes.Select(c => c.Message));
        Assert.Equal(RemoteErrorBounds.MaxInner, Count(causes));
    }

    [Fact]
    public void Bound_HostileModel_DepthCountAndTextsCut()
    {
        var huge = new string('m', 1_000_000);
        var wide = new RemoteError("E", "top")
        {
            Inner = [.. Enumerable.Range(0, 100_000).Select(_ => new RemoteError(huge, huge, huge))],
        };

        var deep = RemoteErrorBounds.Bound(DeepModel(10_000));
        var bounded = RemoteErrorBounds.Bound(wide);

        Assert.Equal(RemoteErrorBounds.MaxDepth, Depth(deep.Inner));
        Assert.Equal(RemoteErrorBounds.MaxInner, bounded.Inner.Count);
        Assert.All(bounded.Inner, e =>
        {
            Assert.Equal(RemoteErrorBounds.MaxTypeLength, e.Type.Length);
            Assert.Equal(RemoteErrorBounds.MaxMessageLength, e.Message.Length);
            Assert.Equal(RemoteErrorBounds.MaxStackLength, e.StackTrace!.Length);
            Assert.EndsWith("…", e.Message, StringComparison.Ordinal);
        });
        Assert.Equal("top", bounded.Message);
    }

    [Fact]
    public void Bound_NoCauses_ReturnsTheSameError()
    {
        var error = new RemoteError("E", "m", "at X");

        Assert.Same(error, RemoteErrorBounds.Bound(error));
    }

    [Fact]
    public void TaskReportJson_ErrorWithCauses_WritesInnerAndReadsItBack()
    {
        var report = new TaskReport
        {
            Id = 7,
            Name = "t",
            State = TaskState.Failed,
            Error = new RemoteError("System.AggregateException", "two", "at A")
            {
                Inner = [new RemoteError("System.ArgumentException", "first", "at B", false) { Inner = [new RemoteError("System.IO.IOException", "disk", null, false)] }, new RemoteError("System.TimeoutException", "second", null, false)],
            },
        };

        var text = Write(report);
        var read = TaskReportJson.Read(JsonDocument.Parse(text).RootElement);

        using var json = JsonDocument.Parse(text);
        var inner = json.RootElement.GetProperty("error").GetProperty("inner");
        Assert.Equal(2, inner.GetArrayLength());
        Assert.Equal("at B", inner[0].GetProperty("stack").GetString());
        Assert.False(inner[1].TryGetProperty("stack", out _));
        Assert.False(inner[1].TryGetProperty("inner", out _));
        Assert.Equal("disk", inner[0].GetProperty("inner")[0].GetProperty("message").GetString());
        Assert.Equal(Write(report), Write(read));
    }

    [Fact]
    public void TaskReportJson_NoCauses_WritesNoInner()
    {
        var text = Write(new TaskReport { Id = 1, Name = "t", State = TaskState.Failed, Error = new RemoteError("E", "m") });

        Assert.DoesNotContain("inner", text, StringComparison.Ordinal);
    }

    [Fact]
    public void TaskReportJson_Read_HostileWideAndMalformedInner_CutAndSkipped()
    {
        var wide = string.Join(",", Enumerable.Range(0, 100_000).Select(i => $$"""{"type":"E","message":"{{i}}"}"""));
        var text = $$$"""{"name":"t","status":"failed","error":{"type":"E","message":"m","inner":[1,"x",{"type":5},{{{wide}}}]}}""";

        var read = TaskReportJson.Read(JsonDocument.Parse(text).RootElement);

        Assert.Equal(RemoteErrorBounds.MaxInner, read.Error!.Inner.Count);
        Assert.Equal(string.Empty, read.Error.Inner[0].Type);
        Assert.Equal("0", read.Error.Inner[1].Message);
    }

    private static string Write(TaskReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            TaskReportJson.WriteProperties(json, report);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
