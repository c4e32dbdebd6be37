using System.Text;
using FuncExec.Cli.Commands;
using FuncExec.Cli.Tests.Support;
using FuncExec.Core.Functions;

namespace FuncExec.Cli.Tests.Commands;

public sealed class ExecCommandTests
{
    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    [InlineData(2.5, "2.5")]
    public void ResultText_NonFiniteDoubles_PrintAsTheirNames(double value, string expected)
    {
        Assert.Equal(expected, ExecCommand.ResultText(FuncExecJson.SerializeResult(value)));
    }

    [Fact]
    public void ResultText_StringBareOtherJson()
    {
        Assert.Equal("hi", ExecCommand.ResultText(FuncExecJson.SerializeResult("hi")));
        Assert.Equal("[1,2]", ExecCommand.ResultText(Encoding.UTF8.GetBytes("[1,2]")));
    }

    [Theory]
    [InlineData("double.NaN", "NaN")]
    [InlineData("double.PositiveInfinity", "Infinity")]
    [InlineData("double.NegativeInfinity", "-Infinity")]
    public async Task Exec_CodeReturningNonFinite_PrintsItAsFunctionDoes(string expression, string expected)
    {
        var (exitCode, stdout, stderr) = await CliProcess.RunAsync("exec", "--code", $"return {expression};");

        Assert.True(exitCode == 0, stderr);
        Assert.Equal(expected, stdout.Trim());
    }

    [Fact]
    public async Task Exec_FunctionReturningNaN_PrintsNaN()
    {
        var (exitCode, stdout, stderr) = await CliProcess.RunAsync("exec", "--function", "System.Math.Sqrt", "--params", "-1");

        Assert.True(exitCode == 0, stderr);
        Assert.Equal("NaN", stdout.Trim());
    }
}
