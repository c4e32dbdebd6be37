using System.Text;
using FuncExec.Core.Functions.Lambdas;

namespace FuncExec.Core.Tests.Functions.Lambdas;

public sealed class LambdaBinderTests
{
    private const string Jobs = "FuncExec.Core.Tests.Functions.Lambdas.LambdaJobs";
    private static readonly string Int = typeof(int).AssemblyQualifiedName!;
    private static readonly string Long = typeof(long).AssemblyQualifiedName!;

    [Fact]
    public void Bind_ExactParameterTypes_PicksThatOverloadNotTheJsonShape()
    {
        var method = LambdaBinder.Bind(Jobs + ".Kind", [Long], [], assembly: null);

        Assert.Equal("long", method.Invoke(null, LambdaBinder.ReadArguments(method, "[1]"u8)));
    }

    [Fact]
    public void Bind_UnknownType_ThrowsFunctionNotFound()
    {
        var error = Assert.Throws<FunctionNotFoundException>(() => LambdaBinder.Bind("No.Such.Type.F", [], [], assembly: null));

        Assert.Contains("type 'No.Such.Type' was not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_NoOverloadWithThoseTypes_ListsWhatWasAskedFor()
    {
        var error = Assert.Throws<FunctionNotFoundException>(() => LambdaBinder.Bind(Jobs + ".Add", [Long, Long], [], typeof(LambdaJobs).Assembly));

        Assert.StartsWith("no public static method Add(long, long) on " + Jobs, error.Message, StringComparison.Ordinal);
        Assert.Contains("the worker's copy of the assembly may differ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_UnknownParameterType_NamesIt()
    {
        var error = Assert.Throws<FunctionNotFoundException>(() => LambdaBinder.Bind(Jobs + ".Add", ["Missing.Type, Missing.Assembly", Int], [], assembly: null));

        Assert.Contains("parameter type 'Missing.Type, Missing.Assembly'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_NotAFullName_ThrowsFunctionNotFound() =>
        Assert.Throws<FunctionNotFoundException>(() => LambdaBinder.Bind("Add", [], [], assembly: null));

    [Fact]
    public void Bind_NewerFrameworkVersionInName_StillBinds()
    {
        // A client on a newer runtime patch writes a higher version; the worker's framework must still match.
        var newer = Int.Replace("Version=10.0.0.0", "Version=10.9.0.0", StringComparison.Ordinal);

        var method = LambdaBinder.Bind(Jobs + ".Add", [newer, Int], [], assembly: null);

        Assert.Equal(nameof(LambdaJobs.Add), method.Name);
    }

    [Fact]
    public void ReadArguments_MissingTrailingOptional_UsesDefault()
    {
        var method = typeof(LambdaJobs).GetMethod(nameof(LambdaJobs.Greet))!;

        var arguments = LambdaBinder.ReadArguments(method, "[\"Ann\"]"u8);

        Assert.Equal(["Ann", "Hello"], arguments);
    }

    [Fact]
    public void ReadArguments_TooFew_ThrowsArgumentMismatch()
    {
        var method = typeof(LambdaJobs).GetMethod(nameof(LambdaJobs.Add))!;

        var error = Assert.Throws<ArgumentMismatchException>(() => LambdaBinder.ReadArguments(method, "[1]"u8));

        Assert.Contains("takes 2 arguments but 1 were given", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadArguments_TooMany_ThrowsArgumentMismatch()
    {
        var method = typeof(LambdaJobs).GetMethod(nameof(LambdaJobs.Add))!;

        Assert.Throws<ArgumentMismatchException>(() => LambdaBinder.ReadArguments(method, "[1,2,3]"u8));
    }

    [Fact]
    public void ReadArguments_WrongKind_NamesParameter()
    {
        var method = typeof(LambdaJobs).GetMethod(nameof(LambdaJobs.Add))!;

        var error = Assert.Throws<ArgumentMismatchException>(() => LambdaBinder.ReadArguments(method, "[1,\"two\"]"u8));

        Assert.Contains("argument 'b' of " + Jobs + ".Add(int, int) does not convert to int", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadArguments_NotAnArray_ThrowsArgumentMismatch()
    {
        var method = typeof(LambdaJobs).GetMethod(nameof(LambdaJobs.Add))!;

        Assert.Throws<ArgumentMismatchException>(() => LambdaBinder.ReadArguments(method, Encoding.UTF8.GetBytes("{\"a\":1}")));
        Assert.Throws<ArgumentMismatchException>(() => LambdaBinder.ReadArguments(method, "[1,"u8));
    }
}
