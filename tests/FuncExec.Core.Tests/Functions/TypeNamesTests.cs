using FuncExec.Core.Functions.Internal;

namespace FuncExec.Core.Tests.Functions;

public sealed class TypeNamesTests
{
    [Theory]
    [InlineData(typeof(int), "int")]
    [InlineData(typeof(int?), "int?")]
    [InlineData(typeof(string[]), "string[]")]
    [InlineData(typeof(int[,]), "int[,]")]
    [InlineData(typeof(Dictionary<string, List<double>>), "Dictionary<string, List<double>>")]
    [InlineData(typeof((int, string)), "(int, string)")]
    [InlineData(typeof(SampleOuter.Inner), "SampleOuter.Inner")]
    [InlineData(typeof(MidpointRounding), "MidpointRounding")]
    public void Format_Types_WritesCSharpSyntax(Type type, string expected)
    {
        Assert.Equal(expected, TypeNames.Format(type));
    }

    [Fact]
    public void FullName_NestedType_JoinsWithDots()
    {
        Assert.Equal("FuncExec.Core.Tests.Functions.SampleOuter.Inner", TypeNames.FullName(typeof(SampleOuter.Inner)));
    }

    [Fact]
    public void Signature_RefAndOutParameters_ShowModifiers()
    {
        var method = typeof(int).GetMethod(nameof(int.TryParse), [typeof(string), typeof(int).MakeByRefType()])!;

        Assert.Equal("System.Int32.TryParse(string, out int)", TypeNames.Signature(typeof(int), method));
    }
}
