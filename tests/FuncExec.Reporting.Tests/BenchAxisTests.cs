namespace FuncExec.Reporting.Tests;

public sealed class BenchAxisTests
{
    [Theory]
    [InlineData("1..4", new[] { 1, 2, 3, 4 })]
    [InlineData("3", new[] { 3 })]
    [InlineData("2..2", new[] { 2 })]
    [InlineData("1,2,4", new[] { 1, 2, 4 })]
    [InlineData(" 4 , 1 ", new[] { 1, 4 })]
    [InlineData("1..2,8", new[] { 1, 2, 8 })]
    [InlineData("1..3,2..4", new[] { 1, 2, 3, 4 })]
    [InlineData("1024", new[] { 1024 })]
    public void Parse_CountsRangesAndLists_AscendingWithoutRepeats(string text, int[] expected)
    {
        Assert.Equal(expected, BenchAxis.Parse(text));
    }

    [Theory]
    [InlineData("0..3", "'0..3' holds 0; counts start at 1")]
    [InlineData("-2", "'-2' holds -2; counts start at 1")]
    [InlineData("4..1", "'4..1' runs backwards; write it low to high: 1..4")]
    [InlineData("1..1025", "'1..1025' holds 1025; at most 1024 is allowed")]
    [InlineData("x", "'x' is not a whole number")]
    [InlineData("1...3", "'.3' is not a whole number")]
    [InlineData("1..", "'1..' has an empty item")]
    [InlineData("1,,2", "'1,,2' has an empty item")]
    [InlineData("", "not nothing")]
    [InlineData("2.5", "'2.5' is not a whole number")]
    public void Parse_BadText_ThrowsFormatExceptionSayingWhy(string text, string message)
    {
        var ex = Assert.Throws<FormatException>(() => BenchAxis.Parse(text));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }
}
