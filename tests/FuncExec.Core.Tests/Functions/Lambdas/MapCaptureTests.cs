using System.Linq.Expressions;
using System.Text;
using System.Text.Json;
using FuncExec.Core.Functions.Lambdas;

namespace FuncExec.Core.Tests.Functions.Lambdas;

/// <summary>Issue 14: a map's call captured once writes each item's arguments exactly as capturing the call per item did.</summary>
public sealed class MapCaptureTests
{
    [Fact]
    public void TryCaptureMap_ItemAndConstants_SameBytesAsEachItemCapturedAlone()
    {
        var offset = 40;

        AssertSameAsEach<int, int>(x => LambdaJobs.Add(x, 3), [0, -1, int.MaxValue, int.MinValue]);
        AssertSameAsEach<int, int>(x => LambdaJobs.Add(x, offset), [1, 2]);
        AssertSameAsEach<int, int>(x => LambdaJobs.Add(x, x), [5]);
        AssertSameAsEach<int, int>(x => LambdaJobs.Add(offset, x), [7]);
        AssertSameAsEach<string, string>(x => LambdaJobs.Greet(x, "Grüß dich"), ["Ann", "héllo \"quoted\" <b>", "", null!, "tab\t\u2028"]);
        AssertSameAsEach<double, double>(x => LambdaJobs.Half(x), [1.5, -0.0, double.NaN, double.PositiveInfinity, 1e300, 0.1]);
        AssertSameAsEach<long, long>(x => MapJobs.Twice(x), [long.MaxValue, 0]);
        AssertSameAsEach<bool, bool>(x => MapJobs.Not(x), [true, false]);
    }

    [Fact]
    public void TryCaptureMap_RecordsEnumsNullablesAndObjects_SameBytesAsEachItemCapturedAlone()
    {
        AssertSameAsEach<JobOrder, string>(x => LambdaJobs.Describe(x), [new JobOrder("Ann", 1, JobPriority.Low), new JobOrder("Bé", 2, JobPriority.Urgent), null!]);
        AssertSameAsEach<JobPriority, JobPriority>(x => MapJobs.Raise(x), [JobPriority.Low, JobPriority.Normal, (JobPriority)42]);
        AssertSameAsEach<int?, int>(x => LambdaJobs.OrMinusOne(x), [1, null]);
        AssertSameAsEach<int, int>(x => LambdaJobs.OrMinusOne(x), [3]);
        AssertSameAsEach<int, string>(x => LambdaJobs.Show(x), [1, 2]);
        AssertSameAsEach<object, string>(x => LambdaJobs.Show(x), [1, "two", new JobOrder("C", 3, JobPriority.Normal), null!]);
        AssertSameAsEach<int[], int>(x => LambdaJobs.Sum(x), [[1, 2], [], null!]);
        AssertSameAsEach<int, int>(x => MapJobs.WithToken(x, CancellationToken.None), [4]);
    }

    [Fact]
    public void TryCaptureMap_ItemInsideAnExpressionOrAnArgumentToEvaluatePerItem_SameBytesAsEachItemCapturedAlone()
    {
        var scale = 3;

        AssertSameAsEach<int, int>(x => LambdaJobs.Add(x * 2, 1), [0, 7, -4]);
        AssertSameAsEach<int, int>(x => LambdaJobs.Add(x % 1000, scale * x), [123_456, 5]);
        AssertSameAsEach<JobOrder, string>(x => LambdaJobs.Greet(x.Customer, "Hi"), [new JobOrder("Ann", 1, JobPriority.Low), new JobOrder("\"Bé\"", 2, JobPriority.Urgent)]);
        AssertSameAsEach<int, long>(x => LambdaJobs.Flops(x, 2), [int.MaxValue, 1]);
        AssertSameAsEach<int, int>(x => LambdaJobs.Add(x, Next()), [1, 2]);
        AssertSameAsEach<int, string>(x => LambdaJobs.Show(new JobOrder("C" + x, x, JobPriority.Normal)), [8]);
    }

    [Fact]
    public void TryCaptureMap_ArgumentComputedFromTheItem_EvaluatedOncePerItemInOrder()
    {
        var seen = new List<int>();
        var template = LambdaCapture.TryCaptureMap<int>((Expression<Func<int, int>>)(x => LambdaJobs.Add(x, Record(seen, x))));
        Assert.NotNull(template);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var item in new[] { 5, 6, 7 })
            {
                template.Write(writer, item);
            }

            writer.WriteEndArray();
        }

        Assert.Equal([5, 6, 7], seen);
        Assert.Equal("[[5,50],[6,60],[7,70]]", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void TryCaptureMap_ArgumentComputedFromTheItemThrowsOrIsNotData_TheItemsWriteFailsAsItsCaptureWould()
    {
        var divide = LambdaCapture.TryCaptureMap<int>((Expression<Func<int, int>>)(x => LambdaJobs.Add(10 / x, 1)))!;
        var stream = LambdaCapture.TryCaptureMap<int>((Expression<Func<int, string>>)(x => LambdaJobs.Show(new MemoryStream(x))))!;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer);

        // User code runs per item and may throw: the map writes every chunk before it sends any.
        Assert.False(divide.WritesEveryItem);
        Assert.True(LambdaCapture.TryCaptureMap<int>((Expression<Func<int, int>>)(x => LambdaJobs.Add(x, 1)))!.WritesEveryItem);
        Assert.Throws<DivideByZeroException>(() => divide.Write(writer, 0));
        var refused = Assert.Throws<LambdaNotSupportedException>(() => stream.Write(writer, 4));

        Assert.Contains("stream", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("MemoryStream", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCaptureMap_BodyNotACallThatCanBeSent_LeftToTheCaptureOfEachItem()
    {
        Assert.Null(LambdaCapture.TryCaptureMap<int>((Expression<Func<int, int>>)(x => x + 1)));
        Assert.Null(LambdaCapture.TryCaptureMap<int>((Expression<Func<int, int>>)(x => HiddenJobs.Answer())));
    }

    [Fact]
    public void TryCaptureMap_ItemOfATypeThatIsNotData_RefusedAsTheCaptureOfAnItemWould()
    {
        var sealedType = Assert.Throws<LambdaNotSupportedException>(() => LambdaCapture.TryCaptureMap<MemoryStream>((Expression<Func<MemoryStream, long>>)(x => LambdaJobs.Length(x))));
        var template = LambdaCapture.TryCaptureMap<object>((Expression<Func<object, string>>)(x => LambdaJobs.Show(x)))!;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer);
        var perItem = Assert.Throws<LambdaNotSupportedException>(() => template.Write(writer, new MemoryStream()));

        Assert.Contains("stream", sealedType.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("stream", perItem.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static int Next() => 1;

    private static int Record(List<int> seen, int item)
    {
        seen.Add(item);
        return item * 10;
    }

    private static void AssertSameAsEach<TItem, TResult>(Expression<Func<TItem, TResult>> call, TItem[] items)
    {
        var template = LambdaCapture.TryCaptureMap<TItem>(call);
        Assert.NotNull(template);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var each = new List<string>();
        foreach (var item in items)
        {
            buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                template.Write(writer, item);
            }

            var body = new Replacer(call.Parameters[0], Expression.Constant(item, typeof(TItem))).Visit(call.Body);
            var alone = LambdaCapture.Capture(Expression.Lambda(body));
            Assert.Equal(Encoding.UTF8.GetString(alone.ArgumentsJson), Encoding.UTF8.GetString(buffer.WrittenSpan));
            Assert.Equal(alone with { ArgumentsJson = [] }, template.Call with { ArgumentsJson = [] });
            each.Add(Encoding.UTF8.GetString(alone.ArgumentsJson));
        }

        // A whole chunk, from an offset, and a chunk of one (integers are formatted without the writer: same bytes).
        using var chunkWriter = new Utf8JsonWriter(new System.Buffers.ArrayBufferWriter<byte>());
        template.WriteChunk(buffer, chunkWriter, [default!, .. items], 1, items.Length);
        Assert.Equal($"[{string.Join(',', each)}]", Encoding.UTF8.GetString(buffer.WrittenSpan));
        template.WriteChunk(buffer, chunkWriter, items, items.Length - 1, 1);
        Assert.Equal($"[{each[^1]}]", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private sealed class Replacer(ParameterExpression parameter, Expression value) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == parameter ? value : base.VisitParameter(node);
    }
}
