using FuncExec.TaskFiles;

namespace FuncExec.Core.Tests.TaskFiles;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("10s", 10)]
    [InlineData("2m", 120)]
    [InlineData("1h", 3600)]
    [InlineData("1.5h", 5400)]
    [InlineData(".5s", 0.5)]
    [InlineData(" 3 m ", 180)]
    [InlineData("7", 7)]
    [InlineData("-2s", -2)]
    [InlineData("01:30:00", 5400)]
    [InlineData("0:00:02.5", 2.5)]
    [InlineData("100:00:00", 360_000)]
    public void TryParseSeconds_KnownForm_ReturnsSeconds(string text, double expected)
    {
        Assert.True(DurationParser.TryParseSeconds(text, out var seconds));
        Assert.Equal(expected, seconds, precision: 9);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("10 minutes")]
    [InlineData("1d")]
    [InlineData("5sec")]
    [InlineData("1:30")]
    [InlineData("1:60:00")]
    [InlineData("1:00:60")]
    [InlineData("1e3s")]
    public void TryParseSeconds_UnknownForm_ReturnsFalse(string text)
    {
        Assert.False(DurationParser.TryParseSeconds(text, out _));
    }
}
