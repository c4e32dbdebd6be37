using FuncExec.Protocol.Components;
using FuncExec.Protocol.V1;

namespace FuncExec.Node.Tests.Components;

/// <summary>The one check every boundary makes of a component reference (issue 9: content-addressed means content-addressed).</summary>
public sealed class ComponentIdsTests
{
    private const string Valid = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void IsValid_SixtyFourLowercaseHex_True() => Assert.True(ComponentIds.IsValid(Valid));

    [Theory]
    [InlineData("../../x")]
    [InlineData("/etc")]
    [InlineData("/usr/share")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde/")]
    [InlineData("")]
    [InlineData(null)]
    public void IsValid_NotASha256_False(string? id) => Assert.False(ComponentIds.IsValid(id));

    [Fact]
    public void Problem_TraversalId_NamesTheIdAndTheRule()
    {
        var problem = ComponentIds.Problem(new ComponentRef { Sha256 = "../../etc", FileName = "passwd" });

        Assert.Equal("component id '../../etc' is not a SHA-256: a component id is 64 lowercase hexadecimal characters", problem);
    }

    [Theory]
    [InlineData("../App.dll")]
    [InlineData("sub/App.dll")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("a\\b.dll")]
    [InlineData("a\0.dll")]
    [InlineData("")]
    public void Problem_FileNameNotPlain_NamesIt(string name)
    {
        var problem = ComponentIds.Problem(new ComponentRef { Sha256 = Valid, FileName = name });

        Assert.NotNull(problem);
        Assert.Contains("is not a plain file name", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_LongHostileValue_QuotedShortOnOneLine()
    {
        var problem = ComponentIds.Problem(new ComponentRef { Sha256 = new string('x', 10_000) + "\n", FileName = "App.dll" })!;

        Assert.True(problem.Length < 300);
        Assert.DoesNotContain('\n', problem);
    }

    [Fact]
    public void Problem_ValidReference_Null() => Assert.Null(ComponentIds.Problem(new ComponentRef { Sha256 = Valid, FileName = "App.dll" }));
}
