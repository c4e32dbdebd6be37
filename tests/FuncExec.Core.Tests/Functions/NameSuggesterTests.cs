using FuncExec.Core.Functions.Internal;

namespace FuncExec.Core.Tests.Functions;

public sealed class NameSuggesterTests
{
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
