namespace FuncExec.Cli.Tests;

/// <summary>Which processes run their socket completions inline (issue 14: a frame into the scheduler must not wake a
/// pool thread only to relay it).</summary>
public sealed class SchedulerSocketsTests
{
    [Fact]
    public void ValueFor_SchedulerVerbNothingSet_InlineCompletions()
    {
        Assert.Equal("1", SchedulerSockets.ValueFor(["scheduler", "--port", "9700"], current: null));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("")]
    public void ValueFor_OperatorSetIt_KeptAsItIs(string current)
    {
        Assert.Null(SchedulerSockets.ValueFor(["scheduler"], current));
    }

    [Theory]
    [InlineData("node")]
    [InlineData("run")]
    [InlineData("bench")]
    [InlineData("exec")]
    public void ValueFor_AnotherVerb_Unchanged(string verb)
    {
        // An embedded cluster runs in a program whose own socket callbacks may block: it keeps the runtime's default.
        Assert.Null(SchedulerSockets.ValueFor([verb], current: null));
    }

    [Fact]
    public void ValueFor_NoArguments_Unchanged()
    {
        Assert.Null(SchedulerSockets.ValueFor([], current: null));
    }
}
