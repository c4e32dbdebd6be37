using FuncExec.Core.Text;

namespace FuncExec.Core.Tests.Text;

public sealed class CoreListTests
{
    [Theory]
    [InlineData(new int[0], "no cores")]
    [InlineData(new[] { 3 }, "core 3")]
    [InlineData(new[] { 0, 1, 2, 3 }, "cores 0-3")]
    [InlineData(new[] { 6, 0, 1, 2, 3 }, "cores 0-3,6")]
    [InlineData(new[] { 2, 2 }, "core 2")]
    public void Format_Cores_OneShapeForWhichCores(int[] cores, string expected)
    {
        Assert.Equal(expected, CoreList.Format(cores));
    }
}
