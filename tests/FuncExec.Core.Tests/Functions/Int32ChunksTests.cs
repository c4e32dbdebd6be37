using System.Text;
using System.Text.Json;
using FuncExec.Core.Functions.Internal;

namespace FuncExec.Core.Tests.Functions;

/// <summary>Issue 14: the scan of int chunks reads only the form FuncExec writes, the values a JSON reader reads, and
/// leaves everything else to the reader.</summary>
public sealed class Int32ChunksTests
{
    [Fact]
    public void TryReadArguments_TheFormTheClientWrites_TheValues()
    {
        Assert.True(Int32Chunks.TryReadArguments("[[1],[-2],[0],[-0],[2147483647],[-2147483648]]"u8, out var items));

        Assert.Equal([1, -2, 0, 0, int.MaxValue, int.MinValue], items);
    }

    [Theory]
    [InlineData("[[01]]")]
    [InlineData("[[1.0]]")]
    [InlineData("[[1e2]]")]
    [InlineData("[[2147483648]]")]
    [InlineData("[[-2147483649]]")]
    [InlineData("[[99999999999]]")]
    [InlineData("[[1], [2]]")]
    [InlineData("[[1,2]]")]
    [InlineData("[[1]")]
    [InlineData("[[1]]x")]
    [InlineData("[[1]],")]
    [InlineData("[[-]]")]
    [InlineData("[[]]")]
    [InlineData("[[+1]]")]
    [InlineData("[1]")]
    [InlineData("[[\"1\"]]")]
    [InlineData("")]
    public void TryReadArguments_AnythingElse_LeftToTheJsonReader(string json) =>
        Assert.False(Int32Chunks.TryReadArguments(Encoding.UTF8.GetBytes(json), out _));

    [Theory]
    [InlineData("[1,4,9]", 3, true)]
    [InlineData("[1,4]", 3, false)]
    [InlineData("[1,4,9,16]", 3, false)]
    [InlineData("[1, 4,9]", 3, false)]
    [InlineData("[01,4,9]", 3, false)]
    [InlineData("[1,4,9", 3, false)]
    [InlineData("[1,4,9.5]", 3, false)]
    [InlineData("[1,null,9]", 3, false)]
    public void TryReadResults_ExactlyTheCountInTheWorkersForm(string json, int count, bool expected)
    {
        var destination = new int[count];

        Assert.Equal(expected, Int32Chunks.TryReadResults(System.Text.Encoding.UTF8.GetBytes(json), destination));
        if (expected)
        {
            Assert.Equal([1, 4, 9], destination);
        }
    }

    [Fact]
    public void WriteResults_TheBytesOfTheJsonWriter()
    {
        int[] values = [0, -1, 7, int.MaxValue, int.MinValue, 1_000_000];
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                writer.WriteNumberValue(value);
            }

            writer.WriteEndArray();
        }

        Assert.Equal(Encoding.UTF8.GetString(buffer.WrittenSpan), Encoding.UTF8.GetString(Int32Chunks.WriteResults(values)));
        Assert.Equal("[]", Encoding.UTF8.GetString(Int32Chunks.WriteResults([])));
    }
}
