using FuncExec.Core.Functions;
using FuncExec.Tests.Functions;

namespace FuncExec.Core.Tests.Functions;

public sealed class MethodResolverTests
{
    private readonly MethodResolver _resolver = new();

    private object? Call(string fullName, string json)
    {
        var args = JsonArgs.Of(json);
        return _resolver.Resolve(fullName, args).Invoke(args);
    }

    private string SignatureOf(string fullName, string json) => _resolver.Resolve(fullName, JsonArgs.Of(json)).Signature;

    [Fact]
    public void Resolve_MathMinWithIntegers_PicksIntOverload()
    {
        Assert.Equal("System.Math.Min(int, int)", SignatureOf("System.Math.Min", "[1, 2]"));
        Assert.Equal(1, Call("System.Math.Min", "[1, 2]"));
    }

    [Fact]
    public void Resolve_EnumerableMaxWithIntegerArray_PicksIEnumerableOfInt()
    {
        Assert.Equal("System.Linq.Enumerable.Max(IEnumerable<int>)", SignatureOf("System.Linq.Enumerable.Max", "[[3, 9, 4]]"));
        Assert.Equal(9, Call("System.Linq.Enumerable.Max", "[[3, 9, 4]]"));
    }

    [Fact]
    public void Resolve_MathMaxWithIntegerAndFraction_PicksDoubleOverload()
    {
        Assert.Equal("System.Math.Max(double, double)", SignatureOf("System.Math.Max", "[1, 2.5]"));
        Assert.Equal(2.5, Call("System.Math.Max", "[1, 2.5]"));
    }

    [Fact]
    public void Resolve_StringConcatWithTwoStrings_Concatenates()
    {
        Assert.Equal("System.String.Concat(string, string)", SignatureOf("System.String.Concat", "[\"a\", \"b\"]"));
        Assert.Equal("ab", Call("System.String.Concat", "[\"a\", \"b\"]"));
    }

    [Fact]
    public void Resolve_StringConcatWithManyStrings_UsesParamsArray()
    {
        Assert.Equal("abcde", Call("System.String.Concat", "[\"a\", \"b\", \"c\", \"d\", \"e\"]"));
    }

    [Fact]
    public void Resolve_MathRoundWithFractionAndDigits_PicksRoundDoubleInt()
    {
        Assert.Equal("System.Math.Round(double, int)", SignatureOf("System.Math.Round", "[2.567, 2]"));
        Assert.Equal(2.57, Call("System.Math.Round", "[2.567, 2]"));
    }

    [Theory]
    [InlineData("[5]", "System.Math.Abs(int)")]
    [InlineData("[-3000000000]", "System.Math.Abs(long)")]
    [InlineData("[1.5]", "System.Math.Abs(double)")]
    [InlineData("[1e2]", "System.Math.Abs(double)")]
    public void Resolve_IntegerRange_PicksNarrowestFittingType(string json, string signature)
    {
        Assert.Equal(signature, SignatureOf("System.Math.Abs", json));
    }

    [Fact]
    public void Resolve_IntAndLongArguments_PicksLongOverload()
    {
        Assert.Equal("System.Math.Min(long, long)", SignatureOf("System.Math.Min", "[1, 3000000000]"));
        Assert.Equal(1L, Call("System.Math.Min", "[1, 3000000000]"));
    }

    [Theory]
    [InlineData("[1]", "int")]
    [InlineData("[3000000000]", "long")]
    [InlineData("[2.5]", "double")]
    [InlineData("[\"a\"]", "string")]
    [InlineData("[\"abc\"]", "string")]
    [InlineData("[true]", "bool")]
    [InlineData("[[1, 2]]", "int[]")]
    [InlineData("[[]]", "int[]")]
    [InlineData("[[\"x\"]]", "string[]")]
    [InlineData("[{\"width\": 2, \"height\": 3}]", "rect")]
    public void Resolve_OverloadsByJsonKind_PicksMatchingOverload(string json, string expected)
    {
        Assert.Equal(expected, Call(SampleFunctions.Name + ".Kind", json));
    }

    [Fact]
    public void Resolve_SingleCharacterString_ConvertsToChar()
    {
        Assert.Equal(65, Call(SampleFunctions.Name + ".Code", "[\"A\"]"));
    }

    [Fact]
    public void Resolve_EnumName_MatchesIgnoringCase()
    {
        Assert.Equal("Green", Call(SampleFunctions.Name + ".Paint", "[\"green\"]"));
    }

    [Fact]
    public void Resolve_StringsForParsedTypes_ConvertsThem()
    {
        Assert.Equal("Friday", Call(SampleFunctions.Name + ".Day", "[\"2024-03-01\"]"));
        Assert.Equal(2, Call(SampleFunctions.Name + ".OffsetHours", "[\"2024-03-01T10:00:00+02:00\"]"));
        Assert.Equal(90.0, Call(SampleFunctions.Name + ".Minutes", "[\"01:30:00\"]"));
        Assert.Equal("0f8fad5bd9cb469fa16570867728950e", Call(SampleFunctions.Name + ".GuidText", "[\"0f8fad5b-d9cb-469f-a165-70867728950e\"]"));
    }

    [Fact]
    public void Resolve_NullAndNumberForNullable_ConvertsBoth()
    {
        Assert.Equal("none", Call(SampleFunctions.Name + ".Maybe", "[null]"));
        Assert.Equal("5", Call(SampleFunctions.Name + ".Maybe", "[5]"));
    }

    [Fact]
    public void Resolve_NumbersForDecimalAndByte_Convert()
    {
        Assert.Equal(0.2m, Call(SampleFunctions.Name + ".Money", "[0.1]"));
        Assert.Equal((byte)200, Call(SampleFunctions.Name + ".Small", "[200]"));
    }

    [Fact]
    public void Resolve_OptionalParameterOmitted_UsesDefault()
    {
        Assert.Equal("Hello, Ann!", Call(SampleFunctions.Name + ".Greet", "[\"Ann\"]"));
        Assert.Equal("Hi, Ann!", Call(SampleFunctions.Name + ".Greet", "[\"Ann\", \"Hi\"]"));
        Assert.Equal("Blue", Call(SampleFunctions.Name + ".Round", "[1.5]"));
    }

    [Fact]
    public void Resolve_FrameworkOptionalParameterOmitted_UsesDefault()
    {
        Assert.Equal("[1,2]", Call("System.Text.Json.JsonSerializer.Serialize", "[[1, 2]]"));
    }

    [Theory]
    [InlineData("[]", 0)]
    [InlineData("[7]", 7)]
    [InlineData("[1, 2, 3]", 6)]
    [InlineData("[[1, 2, 3]]", 6)]
    public void Resolve_ParamsArray_TakesRemainingArguments(string json, int sum)
    {
        Assert.Equal(sum, Call(SampleFunctions.Name + ".Sum", json));
    }

    [Fact]
    public void Resolve_ParamsObjectArray_ConvertsToNaturalValues()
    {
        Assert.Equal("1-a-2.5-True", Call(SampleFunctions.Name + ".Join", "[\"-\", 1, \"a\", 2.5, true]"));
        Assert.Equal("1+2", Call("System.String.Format", "[\"{0}+{1}\", 1, 2]"));
    }

    [Fact]
    public void Resolve_StringJoinWithArray_PicksStringArrayOverload()
    {
        Assert.Equal("System.String.Join(string, params string[])", SignatureOf("System.String.Join", "[\", \", [\"a\", \"b\"]]"));
        Assert.Equal("a, b", Call("System.String.Join", "[\", \", [\"a\", \"b\"]]"));
    }

    [Fact]
    public void Resolve_ArrayForCollections_ConvertsToListOrArray()
    {
        Assert.Equal(4.0, Call(SampleFunctions.Name + ".Total", "[[1, 1.5, 1.5]]"));
        Assert.Equal(3, Call(SampleFunctions.Name + ".AddOne", "[[\"a\", \"b\"]]"));
        Assert.Equal(2, Call(SampleFunctions.Name + ".CountAll", "[[\"a\", \"b\"]]"));
        Assert.Equal(new[] { new[] { 1 }, new[] { 2, 3 } }, Call(SampleFunctions.Name + ".Nest", "[[[1], [2, 3]]]"));
    }

    [Fact]
    public void Resolve_ObjectArguments_DeserializeIgnoringCase()
    {
        Assert.Equal(6.0, Call(SampleFunctions.Name + ".Area", "[{\"WIDTH\": 2, \"height\": 3}]"));
        Assert.Equal(2, Call(SampleFunctions.Name + ".CountKeys", "[{\"a\": 1, \"b\": 2}]"));
    }

    [Theory]
    [InlineData("[1]", "Int32")]
    [InlineData("[3000000000]", "Int64")]
    [InlineData("[2.5]", "Double")]
    [InlineData("[\"s\"]", "String")]
    [InlineData("[false]", "Boolean")]
    [InlineData("[[1, 2]]", "Int32[]")]
    [InlineData("[null]", "Object")]
    public void Resolve_GenericMethod_InfersTypeArgumentFromValue(string json, string typeName)
    {
        Assert.Equal(typeName, Call(SampleFunctions.Name + ".TypeName", json));
    }

    [Theory]
    [InlineData("[[1, 2]]", "Int32")]
    [InlineData("[[1, 3000000000]]", "Int64")]
    [InlineData("[[1, 2.5]]", "Double")]
    [InlineData("[[1, null]]", "Nullable`1")]
    [InlineData("[[\"a\", 1]]", "Object")]
    [InlineData("[[]]", "Object")]
    public void Resolve_GenericMethod_InfersElementTypeFromArray(string json, string typeName)
    {
        Assert.Equal(typeName, Call(SampleFunctions.Name + ".ElementTypeName", json));
    }

    [Fact]
    public void Resolve_GenericFrameworkMethods_InferAndRun()
    {
        Assert.Equal(true, Call("System.Linq.Enumerable.Contains", "[[1, 2, 3], 2]"));
        Assert.Equal(2, Call("System.Linq.Enumerable.Count", "[[\"a\", \"b\"]]"));
        Assert.Equal("System.Linq.Enumerable.Sum(IEnumerable<int>)", SignatureOf("System.Linq.Enumerable.Sum", "[[]]"));
    }

    [Fact]
    public void Resolve_NestedTypeWithDotOrPlus_FindsIt()
    {
        Assert.Equal("inner:x", Call("FuncExec.Core.Tests.Functions.SampleOuter.Inner.Echo", "[\"x\"]"));
        Assert.Equal("inner:y", Call("FuncExec.Core.Tests.Functions.SampleOuter+Inner.Echo", "[\"y\"]"));
    }

    [Fact]
    public void Resolve_GivenAssembly_SearchesItFirst()
    {
        var args = JsonArgs.Of("[3]");

        var method = _resolver.Resolve(SampleFunctions.Name + ".Noop", args, typeof(SampleFunctions).Assembly);

        Assert.Equal(3, method.Invoke(args));
    }

    [Fact]
    public void Resolve_FrameworkAssemblyNotLoaded_LoadsItByName()
    {
        Assert.Equal("a+b", Call("System.Web.HttpUtility.UrlEncode", "[\"a b\"]"));
        Assert.Contains(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "System.Web.HttpUtility");
    }

    [Fact]
    public void Resolve_SameShapeTwice_ReturnsCachedMethod()
    {
        var first = _resolver.Resolve("System.Math.Min", JsonArgs.Of("[1, 2]"));
        var second = _resolver.Resolve("System.Math.Min", JsonArgs.Of("[7, 9]"));

        Assert.Same(first, second);
        Assert.Equal(1, _resolver.CachedCount);
    }

    [Fact]
    public void Resolve_OtherRangesForSameOverload_ShareOneMethod()
    {
        var small = _resolver.Resolve("System.Math.Min", JsonArgs.Of("[1, 2]"));
        var negative = _resolver.Resolve("System.Math.Min", JsonArgs.Of("[-7, 100000]"));

        Assert.Same(small, negative);
    }

    [Fact]
    public void Resolve_DifferentShapes_CachesEachOverload()
    {
        var ints = _resolver.Resolve("System.Math.Min", JsonArgs.Of("[1, 2]"));
        var doubles = _resolver.Resolve("System.Math.Min", JsonArgs.Of("[1.5, 2]"));
        var longs = _resolver.Resolve("System.Math.Min", JsonArgs.Of("[1, 3000000000]"));

        Assert.NotSame(ints, doubles);
        Assert.NotSame(ints, longs);
        Assert.Equal(3, _resolver.CachedCount);
    }

    [Fact]
    public void Resolve_WithAndWithoutAssembly_CachesSeparately()
    {
        var args = JsonArgs.Of("[1]");

        _resolver.Resolve(SampleFunctions.Name + ".Noop", args);
        _resolver.Resolve(SampleFunctions.Name + ".Noop", args, typeof(SampleFunctions).Assembly);

        Assert.Equal(2, _resolver.CachedCount);
    }

    [Fact]
    public void Resolve_ManyThreads_ResolveToOneMethod()
    {
        var args = JsonArgs.Of("[1, 2]");
        var methods = new BoundMethod[64];

        Parallel.For(0, methods.Length, i => methods[i] = _resolver.Resolve("System.Math.Max", args));

        Assert.All(methods, m => Assert.Same(methods[0], m));
    }

    [Fact]
    public void Resolve_CacheHitWithScalarArguments_DoesNotAllocate()
    {
        var args = JsonArgs.Of("[\"-\", 1, \"x\", 2.5, true, null]");
        const string Name = SampleFunctions.Name + ".Join";
        for (var i = 0; i < 100; i++)
        {
            _resolver.Resolve(Name, args);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            _resolver.Resolve(Name, args);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Resolve_LongName_UsesPooledKeyBuffer()
    {
        var values = string.Join(", ", Enumerable.Range(0, 100));
        var args = JsonArgs.Of($"[{values}]");

        var first = _resolver.Resolve(SampleFunctions.Name + ".Sum", args);

        Assert.Same(first, _resolver.Resolve(SampleFunctions.Name + ".Sum", args));
        Assert.Equal(4950, first.Invoke(args));
    }
}
