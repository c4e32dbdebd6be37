using FuncExec.Core.Functions;
using FuncExec.Tests.Functions;

namespace FuncExec.Core.Tests.Functions;

public sealed class MethodResolverErrorTests
{
    private readonly MethodResolver _resolver = new();

    [Fact]
    public void Resolve_MisspeltMethod_SuggestsCloseNames()
    {
        var error = Assert.Throws<FunctionNotFoundException>(() => _resolver.Resolve("System.Math.Mni", JsonArgs.Of("[1, 2]")));

        Assert.Equal("no public static method 'Mni' on System.Math; did you mean Min, Max?", error.Message);
        Assert.Equal(["Min", "Max"], error.Suggestions);
        Assert.Equal("System.Math.Mni", error.FunctionName);
    }

    [Fact]
    public void Resolve_MethodWithWrongCase_SuggestsTheRightCase()
    {
        var error = Assert.Throws<FunctionNotFoundException>(() => _resolver.Resolve("System.Math.sqrt", JsonArgs.Of("[2]")));

        Assert.Equal("Sqrt", error.Suggestions[0]);
    }

    [Fact]
    public void Resolve_NothingClose_SuggestsNothing()
    {
        var error = Assert.Throws<FunctionNotFoundException>(() => _resolver.Resolve("System.Math.Zzzzzzzz", JsonArgs.Of("[]")));

        Assert.Empty(error.Suggestions);
        Assert.Equal("no public static method 'Zzzzzzzz' on System.Math", error.Message);
    }

    [Fact]
    public void Resolve_MisspeltType_SuggestsTypesOfTheNamespace()
    {
        var error = Assert.Throws<FunctionNotFoundException>(() => _resolver.Resolve("System.Maht.Min", JsonArgs.Of("[1, 2]")));

        Assert.StartsWith("type 'System.Maht' not found (searched the loaded assemblies and the framework); did you mean System.Math", error.Message, StringComparison.Ordinal);
        Assert.Equal("System.Math", error.Suggestions[0]);
        Assert.True(error.Suggestions.Count <= 3);
    }

    [Fact]
    public void Resolve_UnknownTypeWithAssembly_NamesTheAssembly()
    {
        var error = Assert.Throws<FunctionNotFoundException>(() =>
            _resolver.Resolve("FuncExec.Core.Tests.Functions.SampleFunction.Noop", JsonArgs.Of("[1]"), typeof(SampleFunctions).Assembly));

        Assert.Contains("searched FuncExec.Core.Tests, the loaded assemblies and the framework", error.Message, StringComparison.Ordinal);
        Assert.Contains(SampleFunctions.Name, error.Suggestions);
    }

    [Theory]
    [InlineData("Min")]
    [InlineData("System.Math.")]
    [InlineData(".Min")]
    [InlineData("System..Math.Min")]
    [InlineData("System.Math.Min(int)")]
    public void Resolve_NotAFullName_Throws(string name)
    {
        var error = Assert.Throws<FunctionNotFoundException>(() => _resolver.Resolve(name, JsonArgs.Of("[1]")));

        Assert.Contains("expected Namespace.Type.Method", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_InstanceMethod_SaysOnlyStaticMethodsCanBeCalled()
    {
        var error = Assert.Throws<FunctionNotFoundException>(() => _resolver.Resolve("System.String.Trim", JsonArgs.Of("[\"x\"]")));

        Assert.Contains("'Trim' is an instance method; only static methods can be called", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_NonPublicType_SaysItIsNotPublic()
    {
        var error = Assert.Throws<FunctionNotFoundException>(() =>
            _resolver.Resolve("FuncExec.Core.Tests.Functions.HiddenFunctions.Secret", JsonArgs.Of("[]")));

        Assert.Contains("is not public", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_WrongArgumentKinds_ListsArgumentsAndOverloads()
    {
        var error = Assert.Throws<ArgumentMismatchException>(() => _resolver.Resolve("System.Math.Min", JsonArgs.Of("[1, \"a\"]")));

        Assert.StartsWith("no overload of System.Math.Min takes the arguments (integer, string); its public static overloads are:\n  System.Math.Min(", error.Message, StringComparison.Ordinal);
        Assert.Contains("\n  System.Math.Min(int, int)", error.Message, StringComparison.Ordinal);
        Assert.Contains("System.Math.Min(int, int)", error.Overloads);
        Assert.Contains("System.Math.Min(double, double)", error.Overloads);
        Assert.Equal("System.Math.Min", error.FunctionName);
    }

    [Fact]
    public void Resolve_WrongArgumentCount_ListsEveryOverload()
    {
        var error = Assert.Throws<ArgumentMismatchException>(() => _resolver.Resolve("System.Math.Round", JsonArgs.Of("[]")));

        Assert.Contains("the arguments ()", error.Message, StringComparison.Ordinal);
        Assert.Contains("System.Math.Round(double, int, MidpointRounding)", error.Overloads);
        Assert.Equal(8, error.Overloads.Count);
    }

    [Fact]
    public void Resolve_ArrayOfWrongItems_DescribesTheArray()
    {
        var error = Assert.Throws<ArgumentMismatchException>(() => _resolver.Resolve("System.Math.Abs", JsonArgs.Of("[[true, false], []]")));

        Assert.Contains("the arguments (boolean[], [])", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_GenericOverloads_ListedWithTypeParameters()
    {
        var error = Assert.Throws<ArgumentMismatchException>(() => _resolver.Resolve("System.Linq.Enumerable.Max", JsonArgs.Of("[\"x\"]")));

        Assert.Contains("(string)", error.Message, StringComparison.Ordinal);
        Assert.Contains("System.Linq.Enumerable.Max<TSource>(IEnumerable<TSource>)", error.Overloads);
        Assert.Contains("System.Linq.Enumerable.Max<TSource, TResult>(IEnumerable<TSource>, Func<TSource, TResult>)", error.Overloads);
    }

    [Fact]
    public void Resolve_OverloadsShowParamsAndDefaults_InCSharpSyntax()
    {
        var error = Assert.Throws<ArgumentMismatchException>(() => _resolver.Resolve(SampleFunctions.Name + ".Greet", JsonArgs.Of("[1]")));

        Assert.Equal([SampleFunctions.Name + ".Greet(string, string = \"Hello\")"], error.Overloads);
        var sum = Assert.Throws<ArgumentMismatchException>(() => _resolver.Resolve(SampleFunctions.Name + ".Sum", JsonArgs.Of("[\"x\"]")));
        Assert.Equal([SampleFunctions.Name + ".Sum(params int[])"], sum.Overloads);
    }

    [Fact]
    public void Resolve_NullForTwoReferenceOverloads_ReportsAmbiguity()
    {
        var error = Assert.Throws<ArgumentMismatchException>(() => _resolver.Resolve(SampleFunctions.Name + ".Pick", JsonArgs.Of("[null]")));

        Assert.Contains("the arguments (null) fit more than one overload", error.Message, StringComparison.Ordinal);
        Assert.Contains(SampleFunctions.Name + ".Pick(string)", error.Message, StringComparison.Ordinal);
        Assert.Contains(SampleFunctions.Name + ".Pick(int[])", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_IntegerForEnum_IsNotAccepted()
    {
        Assert.Throws<ArgumentMismatchException>(() => _resolver.Resolve(SampleFunctions.Name + ".Paint", JsonArgs.Of("[1]")));
    }

    [Fact]
    public void Resolve_NumberOutOfRange_IsNotAccepted()
    {
        Assert.Throws<ArgumentMismatchException>(() => _resolver.Resolve(SampleFunctions.Name + ".Small", JsonArgs.Of("[256]")));
        Assert.Throws<ArgumentMismatchException>(() => _resolver.Resolve(SampleFunctions.Name + ".Small", JsonArgs.Of("[1.5]")));
    }

    [Fact]
    public void Resolve_FailedResolution_IsNotCached()
    {
        Assert.Throws<FunctionNotFoundException>(() => _resolver.Resolve("System.Math.Mni", JsonArgs.Of("[1, 2]")));

        Assert.Equal(0, _resolver.CachedCount);
    }

    [Fact]
    public void Resolve_DefaultJsonElement_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => _resolver.Resolve("System.Math.Abs", [default]));
    }
}
