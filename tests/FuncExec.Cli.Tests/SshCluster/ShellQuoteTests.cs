using FuncExec.Core.Text;
using FuncExec.Cli.Tests.Support;

namespace FuncExec.Cli.Tests.SshCluster;

public sealed class ShellQuoteTests
{
    public static TheoryData<string> Nasty => new()
    {
        string.Empty,
        "plain",
        "two words",
        "it's",
        "''",
        "'\\''",
        "$HOME",
        "$(touch /tmp/funcexec-quote-test-pwned)",
        "`id`",
        "a;b|c&d",
        "new\nline",
        "tab\there",
        "*",
        "~",
        "~/x",
        "-n",
        "\"double\"",
        "back\\slash",
        "ünïcödé ✓",
        "!event",
        "{a,b}",
        "a=b",
    };

    [Theory]
    [InlineData("plain")]
    [InlineData("/usr/share/dotnet/dotnet")]
    [InlineData("ConnectTimeout=5")]
    [InlineData("alice@10.0.0.5:9700")]
    [InlineData("-c")]
    public void Quote_HarmlessWord_StaysAsItIs(string word) => Assert.Equal(word, ShellQuote.Quote(word));

    [Fact]
    public void Quote_SingleQuote_ClosedEscapedAndReopened() => Assert.Equal(@"'it'\''s'", ShellQuote.Quote("it's"));

    [Fact]
    public async Task Join_NastyWords_TheShellSplitsBackExactlyTheseWords()
    {
        string[] words = [.. Nasty];

        var (exit, stdout, stderr) = await Shell.RunAsync(["-c", "printf '%s\\0' " + ShellQuote.Join(words)]);

        Assert.True(exit == 0, stderr);
        Assert.Equal(words, stdout.Split('\0')[..^1]);
        Assert.False(File.Exists("/tmp/funcexec-quote-test-pwned"));
    }

    [Theory]
    [MemberData(nameof(Nasty))]
    public async Task Quote_InsideAQuotedScript_SurvivesTwoShells(string word)
    {
        // The install command is "sh -c SCRIPT" for the login shell, SCRIPT quoting the word again.
        var inner = "printf '%s' " + ShellQuote.Quote(word);

        var (exit, stdout, stderr) = await Shell.RunAsync(["-c", "sh -c " + ShellQuote.Quote(inner)]);

        Assert.True(exit == 0, stderr);
        Assert.Equal(word, stdout);
    }

    [Theory]
    [InlineData("~", "/home/x y")]
    [InlineData("~/", "/home/x y/")]
    [InlineData("~/.funcexec/it's here", "/home/x y/.funcexec/it's here")]
    [InlineData("/abs/~/path", "/abs/~/path")]
    [InlineData("~other/x", "~other/x")]
    public async Task Path_LeadingTilde_IsTheRemoteHome(string path, string expected)
    {
        var (exit, stdout, stderr) = await Shell.RunAsync(["-c", "printf '%s' " + ShellQuote.Path(path)], environment: new Dictionary<string, string> { ["HOME"] = "/home/x y" });

        Assert.True(exit == 0, stderr);
        Assert.Equal(expected, stdout);
    }
}
