using System.Linq.Expressions;
using System.Text;
using FuncExec.Core.Functions.Lambdas;

namespace FuncExec.Core.Tests.Functions.Lambdas;

public sealed class LambdaCaptureTests
{
    private const string Rule = "the lambda must be a call to a public static method, like () => Jobs.F(x)";

    [Fact]
    public void Capture_StaticCall_DescribesMethodExactly()
    {
        var a = 2;

        var call = LambdaCapture.Capture(() => LambdaJobs.Add(a, a + 1));

        Assert.Equal("FuncExec.Core.Tests.Functions.Lambdas.LambdaJobs.Add", call.MethodName);
        Assert.Equal(typeof(LambdaJobs).Assembly.Location, call.AssemblyPath);
        Assert.Equal("FuncExec.Core.Tests", call.AssemblyName);
        Assert.Equal([typeof(int).AssemblyQualifiedName!, typeof(int).AssemblyQualifiedName!], call.ParameterTypes);
        Assert.Empty(call.GenericArguments);
        Assert.Equal(typeof(int), call.ResultType);
        Assert.Equal("[2,3]", Encoding.UTF8.GetString(call.ArgumentsJson));
    }

    [Fact]
    public void Capture_GenericMethod_ListsTypeArgumentsAndConstructedParameters()
    {
        var call = LambdaCapture.Capture(() => LambdaJobs.Pair(1L, 2L));

        Assert.Equal([typeof(long).AssemblyQualifiedName!], call.GenericArguments);
        Assert.Equal([typeof(long).AssemblyQualifiedName!, typeof(long).AssemblyQualifiedName!], call.ParameterTypes);
        Assert.Equal(typeof(long[]), call.ResultType);
    }

    [Fact]
    public void Capture_EnumAndRecord_WritesDeclaredTypesWithNames()
    {
        var call = LambdaCapture.Capture(() => LambdaJobs.Escalate(new JobOrder("Ann", 1, JobPriority.Low), JobPriority.Urgent));

        Assert.Equal("""[{"Customer":"Ann","Quantity":1,"Priority":"Low"},"Urgent"]""", Encoding.UTF8.GetString(call.ArgumentsJson));
    }

    [Fact]
    public void Capture_FuncOfObject_SeesThroughBoxing()
    {
        Expression<Func<object>> lambda = () => LambdaJobs.Add(1, 2);

        var call = LambdaCapture.Capture(lambda);

        Assert.Equal("FuncExec.Core.Tests.Functions.Lambdas.LambdaJobs.Add", call.MethodName);
        Assert.Equal(typeof(int), call.ResultType);
    }

    [Fact]
    public void Capture_NestedType_JoinsWithPlus()
    {
        var call = LambdaCapture.Capture(() => Nested.Jobs.Twice(4));

        Assert.Equal("FuncExec.Core.Tests.Functions.Lambdas.LambdaCaptureTests+Nested+Jobs.Twice", call.MethodName);
    }

    [Fact]
    public void Capture_SameCallTwice_Equal()
    {
        var first = LambdaCapture.Capture(() => LambdaJobs.Greet("x", "y"));
        var second = LambdaCapture.Capture(() => LambdaJobs.Greet("x", "y"));

        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotEqual(first, LambdaCapture.Capture(() => LambdaJobs.Greet("x", "z")));
    }

    [Fact]
    public void Capture_LambdaWithUnusedParameter_Captures()
    {
        Expression<Func<int, int>> lambda = x => LambdaJobs.Add(1, 2);

        Assert.Equal("[1,2]", Encoding.UTF8.GetString(LambdaCapture.Capture(lambda).ArgumentsJson));
    }

    [Fact]
    public void Capture_ArgumentThrows_ExceptionReachesCallerUnwrapped()
    {
        var error = Assert.Throws<InvalidOperationException>(() => LambdaCapture.Capture(() => LambdaJobs.Add(Fail(), 1)));

        Assert.Equal("evaluated", error.Message);
    }

    [Fact]
    public void Capture_ArithmeticBody_ExplainsWhatToWrite()
    {
        var x = 1;

        var error = Assert.Throws<LambdaNotSupportedException>(() => LambdaCapture.Capture(() => x + 1));

        Assert.StartsWith(Rule + "; got ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Add", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Capture_ObjectCreationBody_ExplainsWhatToWrite()
    {
        var error = Assert.Throws<LambdaNotSupportedException>(() => LambdaCapture.Capture(() => new JobOrder("a", 1, JobPriority.Low)));

        Assert.StartsWith(Rule + "; got new JobOrder(", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Capture_InstanceMethod_SaysCallAStaticMethod()
    {
        var text = " padded ";

        var error = Assert.Throws<LambdaNotSupportedException>(() => LambdaCapture.Capture(() => text.Trim()));

        Assert.StartsWith(Rule + "; Trim is an instance method; call a static method", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Capture_NonPublicMethod_SaysMakeItPublic()
    {
        var error = Assert.Throws<LambdaNotSupportedException>(() => LambdaCapture.Capture(() => LambdaJobs.Secret()));

        Assert.Equal(Rule + "; FuncExec.Core.Tests.Functions.Lambdas.LambdaJobs.Secret is not public; make it public", error.Message);
    }

    [Fact]
    public void Capture_NonPublicType_SaysMakeTheTypePublic()
    {
        var error = Assert.Throws<LambdaNotSupportedException>(() => LambdaCapture.Capture(() => HiddenJobs.Answer()));

        Assert.Equal(
            Rule + "; FuncExec.Core.Tests.Functions.Lambdas.HiddenJobs.Answer is declared in FuncExec.Core.Tests.Functions.Lambdas.HiddenJobs, which is not public; make the type (and any type it is nested in) public",
            error.Message);
    }

    [Fact]
    public void Capture_GenericDeclaringType_SaysMoveToNonGenericClass()
    {
        var error = Assert.Throws<LambdaNotSupportedException>(() => LambdaCapture.Capture(() => GenericJobs<int>.Make()));

        Assert.Contains("is declared in the generic type", error.Message, StringComparison.Ordinal);
        Assert.Contains("move it to a non-generic class", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Capture_RefParameters_SaysReturnTheValue()
    {
        // C# cannot write a ref argument in an expression tree; a hand-built tree can.
        var swap = typeof(LambdaJobs).GetMethod(nameof(LambdaJobs.Swap))!;
        var lambda = Expression.Lambda<Action>(Expression.Call(swap, Expression.Variable(typeof(int), "a"), Expression.Variable(typeof(int), "b")));

        var error = Assert.Throws<LambdaNotSupportedException>(() => LambdaCapture.Capture(lambda));

        Assert.Equal(
            Rule + "; parameter 'a' of FuncExec.Core.Tests.Functions.Lambdas.LambdaJobs.Swap is ref or out, and a remote call cannot write back to the caller's variable; return the value instead",
            error.Message);
    }

    [Fact]
    public void Capture_ArgumentUsesLambdaParameter_NamesBoth()
    {
        Expression<Func<int, int>> lambda = n => LambdaJobs.Add(n * 2, 1);

        var error = Assert.Throws<LambdaNotSupportedException>(() => LambdaCapture.Capture(lambda));

        Assert.Equal(
            "argument 'a' of FuncExec.Core.Tests.Functions.Lambdas.LambdaJobs.Add uses the lambda's parameter 'n', which has no value on the client; arguments are evaluated before the call is sent, so pass a captured variable or a constant instead",
            error.Message);
    }

    [Fact]
    public void Capture_RefusedLambda_EvaluatesNoArgument()
    {
        var evaluated = 0;
        Expression<Func<int, int>> lambda = n => LambdaJobs.Add(Count(ref evaluated), n);

        Assert.Throws<LambdaNotSupportedException>(() => LambdaCapture.Capture(lambda));
        Assert.Equal(0, evaluated);
    }

    [Fact]
    public void Capture_StreamArgument_NamesParameterAndType()
    {
        using var stream = new MemoryStream([1, 2, 3]);

        var error = Assert.Throws<LambdaNotSupportedException>(() => LambdaCapture.Capture(() => LambdaJobs.Length(stream)));

        Assert.StartsWith(
            "argument 'stream' of FuncExec.Core.Tests.Functions.Lambdas.LambdaJobs.Length has type Stream, which cannot be sent as JSON: a stream is a handle",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Capture_DelegateArgument_NamesParameterAndType()
    {
        Func<int> code = () => 1;

        var error = Assert.Throws<LambdaNotSupportedException>(() => LambdaCapture.Capture(() => LambdaJobs.Run(code)));

        Assert.StartsWith("argument 'code' of FuncExec.Core.Tests.Functions.Lambdas.LambdaJobs.Run has type Func<int>, which cannot be sent as JSON: a delegate is code", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Capture_StreamInObjectParameter_NamesRuntimeType()
    {
        using var stream = new MemoryStream();

        var error = Assert.Throws<LambdaNotSupportedException>(() => LambdaCapture.Capture(() => LambdaJobs.Show(stream)));

        Assert.StartsWith("argument 'value' of FuncExec.Core.Tests.Functions.Lambdas.LambdaJobs.Show has type MemoryStream, which cannot be sent as JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Capture_SerializerRefuses_IncludesJsonError()
    {
        var error = Assert.Throws<LambdaNotSupportedException>(() => LambdaCapture.Capture(() => LambdaJobs.Show(typeof(int))));

        Assert.StartsWith("argument 'value' of FuncExec.Core.Tests.Functions.Lambdas.LambdaJobs.Show has type RuntimeType, which cannot be sent as JSON: ", error.Message, StringComparison.Ordinal);
        Assert.IsType<NotSupportedException>(error.InnerException);
        Assert.Contains(error.InnerException.Message, error.Message, StringComparison.Ordinal);
    }

    private static int Fail() => throw new InvalidOperationException("evaluated");

    private static int Count(ref int counter) => ++counter;

    public static class Nested
    {
        public static class Jobs
        {
            public static int Twice(int value) => value * 2;
        }
    }
}
