using FuncExec.TaskFiles;

namespace FuncExec.Core.Tests.TaskFiles;

public sealed class KeySuggesterTests
{
    private static readonly string[] Keys = ["name", "function", "code", "command", "params", "args", "cores", "timeout", "retries"];

    [Theory]
    [InlineData("cors", "cores")]
    [InlineData("fucntion", "function")]
    [InlineData("comand", "command")]
    [InlineData("CORES", "cores")]
    [InlineData("retry", "retries")]
    [InlineData("time_out", "timeout")]
    public void Closest_Typo_ReturnsIntendedKey(string key, string expected)
    {
        Assert.Equal(expected, KeySuggester.Closest(key, Keys));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("environment")]
    public void Closest_NothingAlike_ReturnsNull(string key)
    {
        Assert.Null(KeySuggester.Closest(key, Keys));
    }
}
