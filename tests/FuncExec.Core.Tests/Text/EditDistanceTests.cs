using FuncExec.Core.Text;

namespace FuncExec.Core.Tests.Text;

public sealed class EditDistanceTests
{
    [Theory]
    [InlineData("Min", "Min", 0)]
    [InlineData("Mni", "Min", 1)]
    [InlineData("Mni", "Max", 2)]
    [InlineData("min", "Min", 0)]
    [InlineData("Sqr", "Sqrt", 1)]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "acb", 1)]
    [InlineData("cors", "cores", 1)]
    [InlineData("kitten", "sitting", 3)]
    public void Between_Pairs_CountsEditsWithSwapsAsOneIgnoringCase(string a, string b, int expected)
    {
        Assert.Equal(expected, EditDistance.Between(a, b));
    }
}
