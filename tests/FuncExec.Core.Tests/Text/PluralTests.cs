using FuncExec.Core.Text;

namespace FuncExec.Core.Tests.Text;

public sealed class PluralTests
{
    [Theory]
    [InlineData(0, "0 nodes")]
    [InlineData(1, "1 node")]
    [InlineData(2, "2 nodes")]
    [InlineData(-1, "-1 nodes")]
    public void Of_Count_SingularOnlyForOne(long count, string expected)
    {
        Assert.Equal(expected, Plural.Of(count, "node"));
    }

    [Fact]
    public void Of_IrregularPlural_UsesIt()
    {
        Assert.Equal("3 processes", Plural.Of(3, "process", "processes"));
        Assert.Equal("1 process", Plural.Of(1, "process", "processes"));
    }
}
