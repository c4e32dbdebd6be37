using System.Text;
using System.Text.Json;
using FuncExec.Core.Functions;

namespace FuncExec.Core.Tests.Functions;

public sealed class ParamParserTests
{
    [Theory]
    [InlineData("1", JsonValueKind.Number, "1")]
    [InlineData("2.5", JsonValueKind.Number, "2.5")]
    [InlineData("true", JsonValueKind.True, "true")]
    [InlineData("false", JsonValueKind.False, "false")]
    [InlineData("null", JsonValueKind.Null, "null")]
    [InlineData("[3,9,4]", JsonValueKind.Array, "[3,9,4]")]
    [InlineData("{\"a\":1}", JsonValueKind.Object, "{\"a\":1}")]
    [InlineData("\"quoted\"", JsonValueKind.String, "\"quoted\"")]
    [InlineData("-7", JsonValueKind.Number, "-7")]
    public void Parse_ValidJson_ParsesAsJsonLiteral(string token, JsonValueKind kind, string raw)
    {
        var value = ParamParser.Parse(token);

        Assert.Equal(kind, value.ValueKind);
        Assert.Equal(raw, value.GetRawText());
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("nothing")]
    [InlineData("1.2.3")]
    [InlineData("")]
    [InlineData("[1,")]
    [InlineData("héllo wörld")]
    public void Parse_NotJson_TakesTheString(string token)
    {
        var value = ParamParser.Parse(token);

        Assert.Equal(JsonValueKind.String, value.ValueKind);
        Assert.Equal(token, value.GetString());
    }

    [Fact]
    public void Parse_QuotedString_UnquotesIt()
    {
        Assert.Equal("quoted", ParamParser.Parse("\"quoted\"").GetString());
    }

    [Fact]
    public void ToJsonArray_Values_WritesOneArray()
    {
        var bytes = ParamParser.ToJsonArray([ParamParser.Parse("1"), ParamParser.Parse("hello"), ParamParser.Parse("[1,2]"), default]);

        Assert.Equal("[1,\"hello\",[1,2],null]", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void ToJsonArray_AfterAnElementThatCannotBeWritten_TheNextArrayIsWholeAndAlone()
    {
        var document = JsonDocument.Parse("[1,2]");
        var stale = document.RootElement[0];
        document.Dispose();

        Assert.Throws<ObjectDisposedException>(() => ParamParser.ToJsonArray([ParamParser.Parse("7"), stale]));

        // The thread's reused writer starts again from nothing: no "[7," left over in front.
        Assert.Equal("[8,\"x\"]", Encoding.UTF8.GetString(ParamParser.ToJsonArray([ParamParser.Parse("8"), ParamParser.Parse("x")])));
        var large = new string('a', 40_000);
        Assert.Equal($"[\"{large}\"]", Encoding.UTF8.GetString(ParamParser.ToJsonArray([ParamParser.Parse(large)])));
        Assert.Equal("[]", Encoding.UTF8.GetString(ParamParser.ToJsonArray([])));
    }

    [Fact]
    public void FromJsonArray_ToJsonArrayOutput_RoundTrips()
    {
        var values = new[] { ParamParser.Parse("2.5"), ParamParser.Parse("{\"a\":[true]}"), ParamParser.Parse("x") };

        var read = ParamParser.FromJsonArray(ParamParser.ToJsonArray(values).AsSpan());

        Assert.Equal(3, read.Length);
        Assert.Equal(2.5, read[0].GetDouble());
        Assert.True(read[1].GetProperty("a")[0].GetBoolean());
        Assert.Equal("x", read[2].GetString());
    }

    [Fact]
    public void FromJsonArray_Memory_ElementsOutliveTheBuffer()
    {
        var buffer = Encoding.UTF8.GetBytes("[1, \"two\"]");

        var read = ParamParser.FromJsonArray(new ReadOnlyMemory<byte>(buffer));
        Array.Clear(buffer);

        Assert.Equal(1, read[0].GetInt32());
        Assert.Equal("two", read[1].GetString());
    }

    [Fact]
    public void FromJsonArray_EmptyArray_ReturnsNoValues()
    {
        Assert.Empty(ParamParser.FromJsonArray("[]"u8));
    }

    [Theory]
    [InlineData("{\"a\":1}")]
    [InlineData("1")]
    [InlineData("[1] [2]")]
    [InlineData("[1,")]
    public void FromJsonArray_NotOneArray_ThrowsJsonException(string json)
    {
        Assert.ThrowsAny<JsonException>(() => ParamParser.FromJsonArray(Encoding.UTF8.GetBytes(json).AsSpan()));
    }
}
