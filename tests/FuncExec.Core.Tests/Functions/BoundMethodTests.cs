using System.Diagnostics;
using System.Text;
using FuncExec.Core.Functions;
using FuncExec.Tests.Functions;

namespace FuncExec.Core.Tests.Functions;

public sealed class BoundMethodTests
{
    private readonly MethodResolver _resolver = new();

    private BoundMethod Bind(string method, string json) => _resolver.Resolve(SampleFunctions.Name + "." + method, JsonArgs.Of(json));

    [Fact]
    public void Invoke_TaskOfInt_WaitsAndReturnsResult()
    {
        var method = Bind("DoubleLaterAsync", "[21]");

        Assert.Equal(42, method.Invoke(JsonArgs.Of("[21]")));
        Assert.Equal(typeof(int), method.ReturnType);
    }

    [Fact]
    public void Invoke_Task_WaitsAndReturnsNull()
    {
        var method = Bind("NothingLaterAsync", "[]");

        Assert.Null(method.Invoke([]));
        Assert.Equal(typeof(void), method.ReturnType);
    }

    [Fact]
    public void Invoke_ValueTasks_ReturnResults()
    {
        Assert.Equal("hi", Bind("EchoValueTask", "[\"hi\"]").Invoke(JsonArgs.Of("[\"hi\"]")));
        Assert.Equal(8, Bind("SlowValueTaskAsync", "[7]").Invoke(JsonArgs.Of("[7]")));
    }

    [Fact]
    public void Invoke_VoidMethod_ReturnsNull()
    {
        var method = Bind("Ignore", "[1]");

        Assert.Null(method.Invoke(JsonArgs.Of("[1]")));
        Assert.Equal(typeof(void), method.ReturnType);
    }

    [Fact]
    public void Invoke_MethodThrows_ExceptionPropagatesUnwrapped()
    {
        var method = Bind("Fail", "[\"boom\"]");

        var error = Assert.Throws<InvalidOperationException>(() => method.Invoke(JsonArgs.Of("[\"boom\"]")));
        Assert.Equal("boom", error.Message);
    }

    [Fact]
    public void Invoke_AsyncMethodThrows_ExceptionPropagatesUnwrapped()
    {
        var method = Bind("FailLaterAsync", "[\"late\"]");

        var error = Assert.Throws<InvalidOperationException>(() => method.Invoke(JsonArgs.Of("[\"late\"]")));
        Assert.Equal("late", error.Message);
    }

    [Fact]
    public void Invoke_UnknownEnumName_ThrowsArgumentMismatch()
    {
        var method = Bind("Paint", "[\"red\"]");

        var error = Assert.Throws<ArgumentMismatchException>(() => method.Invoke(JsonArgs.Of("[\"purple\"]")));

        Assert.StartsWith($"argument 1 of {SampleFunctions.Name}.Paint(SampleColor) must be SampleColor but is \"purple\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("Red, Green, Blue", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invoke_NumberAsEnumName_ThrowsArgumentMismatch()
    {
        var method = Bind("Paint", "[\"red\"]");

        Assert.Throws<ArgumentMismatchException>(() => method.Invoke(JsonArgs.Of("[\"1\"]")));
    }

    [Fact]
    public void Invoke_BadGuid_ThrowsArgumentMismatch()
    {
        var method = Bind("GuidText", "[\"x\"]");

        Assert.Throws<ArgumentMismatchException>(() => method.Invoke(JsonArgs.Of("[\"not-a-guid\"]")));
    }

    [Fact]
    public void Invoke_OtherShapeThanResolved_ThrowsArgumentMismatch()
    {
        var method = _resolver.Resolve("System.Math.Min", JsonArgs.Of("[1, 2]"));

        Assert.Throws<ArgumentMismatchException>(() => method.Invoke(JsonArgs.Of("[1, \"x\"]")));
        Assert.Throws<ArgumentMismatchException>(() => method.Invoke(JsonArgs.Of("[1, 3000000000]")));
    }

    [Fact]
    public void Invoke_WrongArgumentCount_ThrowsArgumentMismatch()
    {
        var method = _resolver.Resolve("System.Math.Min", JsonArgs.Of("[1, 2]"));

        var error = Assert.Throws<ArgumentMismatchException>(() => method.Invoke(JsonArgs.Of("[1]")));
        Assert.Equal("System.Math.Min(int, int) was resolved for 2 arguments but was called with 1", error.Message);
    }

    [Fact]
    public void Invoke_ObjectMissingRequiredShape_ThrowsArgumentMismatch()
    {
        var method = Bind("CountKeys", "[{}]");

        Assert.Throws<ArgumentMismatchException>(() => method.Invoke(JsonArgs.Of("[{\"a\": \"not a number\"}]")));
    }

    [Fact]
    public void Invoke_NoopWithOneInt_AllocatesOnlyArgumentsAndResult()
    {
        var args = JsonArgs.Of("[1]");
        var method = Bind("Noop", "[1]");
        for (var i = 0; i < 100; i++)
        {
            method.Invoke(args);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            method.Invoke(args);
        }

        // One object[1] plus the boxed argument and result: under 100 bytes a call.
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 100 * 1000);
    }

    [Fact]
    public void Invoke_NoopWithOneInt_TakesAboutAMicrosecond()
    {
        var args = JsonArgs.Of("[1]");
        var method = Bind("Noop", "[1]");
        for (var i = 0; i < 10_000; i++)
        {
            method.Invoke(args);
        }

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 100_000; i++)
        {
            method.Invoke(args);
        }

        // A generous bound (20 µs a call) that only a reflection or per-call compilation path would break.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"100000 calls took {watch.Elapsed}");
    }

    [Fact]
    public void SerializeResult_Values_SerializeByRuntimeType()
    {
        var method = _resolver.Resolve("System.Linq.Enumerable.Distinct", JsonArgs.Of("[[1, 1, 2]]"));

        Assert.Equal("[1,2]", Encoding.UTF8.GetString(method.SerializeResult(method.Invoke(JsonArgs.Of("[[1, 1, 2]]")))));
        Assert.Equal("null", Encoding.UTF8.GetString(method.SerializeResult(null)));
    }

    [Fact]
    public void SerializeResult_VoidMethod_WritesNull()
    {
        var method = Bind("NothingLaterAsync", "[]");

        Assert.Equal("null", Encoding.UTF8.GetString(method.SerializeResult(method.Invoke([]))));
    }

    [Fact]
    public void SerializeResult_TupleAndNaN_AreWritten()
    {
        var divide = Bind("Divide", "[7, 2]");
        var sqrt = _resolver.Resolve("System.Math.Sqrt", JsonArgs.Of("[-1]"));

        Assert.Equal("{\"Item1\":3,\"Item2\":1}", Encoding.UTF8.GetString(divide.SerializeResult(divide.Invoke(JsonArgs.Of("[7, 2]")))));
        Assert.Equal("\"NaN\"", Encoding.UTF8.GetString(sqrt.SerializeResult(sqrt.Invoke(JsonArgs.Of("[-1]")))));
    }

    [Fact]
    public void Signature_GenericMethod_ShowsInferredTypeArguments()
    {
        Assert.Equal(SampleFunctions.Name + ".TypeName<string>(string)", Bind("TypeName", "[\"x\"]").Signature);
        Assert.Equal(SampleFunctions.Name + ".ElementTypeName<int?>(IEnumerable<int?>)", Bind("ElementTypeName", "[[1, null]]").Signature);
    }
}
