using FuncExec.Core.Functions.Internal;

namespace FuncExec.Core.Tests.Functions;

public sealed class NameSuggesterTests
{
    [Theory]
    [InlineData("Min", "Min", 0)]
    [InlineData("Mni", "Min", 1)]
    [InlineData("Mni", "Max", 2)]
    [InlineData("min", "Min", 0)]
    [InlineData("Sqr", "Sqrt", 1)]
    [InlineData("", "abc", 3)]
    public void Distance_Pairs_CountsEditsAndSwaps(string a, string b, int distance)
    {
        Assert.Equal(distance, NameSuggester.Distance(a, b));
    }

    [Fact]
    public void Suggest_Misspelling_ReturnsClosestFirstAtMostThree()
    {
        var suggestions = NameSuggester.Suggest("Mxa", ["Max", "Min", "Mix", "Mux", "Abs", "Max"]);

        Assert.Equal(["Max", "Min", "Mix"], suggestions);
    }

    [Fact]
    public void Suggest_FarNames_ReturnsNothing()
    {
        Assert.Empty(NameSuggester.Suggest("Round", ["Abs", "Sqrt", "Truncate"]));
    }
}
