using System.Linq.Expressions;
using System.Reflection;
using FuncExec.Core.Functions.Lambdas;

namespace FuncExec.Core.Tests.Functions.Lambdas;

/// <summary>Capture on the client, then Bind, ReadArguments and Invoke as the worker would: the result must equal the direct call.</summary>
public sealed class LambdaRoundTripTests
{
    private static readonly int StaticCount = 5;

    private readonly int _field = 11;

    private string Name { get; } = "Bea";

    [Fact]
    public void RoundTrip_Constants_EqualsDirectCall() => AssertSame(() => LambdaJobs.Add(2, 3));

    [Fact]
    public void RoundTrip_CapturedLocalsAndArithmetic_EqualsDirectCall()
    {
        var a = 20;
        var b = 2;

        AssertSame(() => LambdaJobs.Add(a * b + 1, a - b));
    }

    [Fact]
    public void RoundTrip_InstanceFieldPropertyAndStaticField_EqualsDirectCall()
    {
        AssertSame(() => LambdaJobs.Add(_field, StaticCount));
        AssertSame(() => LambdaJobs.Greet(Name, "Hi"));
    }

    [Fact]
    public void RoundTrip_NestedClosure_EqualsDirectCall()
    {
        var outer = 3;
        for (var i = 0; i < 2; i++)
        {
            var inner = i;
            AssertSame(() => LambdaJobs.Add(outer, inner));
        }
    }

    [Fact]
    public void RoundTrip_IntPassedToLongParameter_EqualsDirectCall()
    {
        var n = 1_000;

        AssertSame(() => LambdaJobs.Flops(n, 2048));
    }

    [Fact]
    public void RoundTrip_Overloads_BindsTheOverloadTheCompilerChose()
    {
        var small = 1L;

        Assert.Equal("long", RoundTrip(LambdaCapture.Capture(() => LambdaJobs.Kind(small))));
        Assert.Equal("double", RoundTrip(LambdaCapture.Capture(() => LambdaJobs.Kind(2.0))));
        Assert.Equal("int", RoundTrip(LambdaCapture.Capture(() => LambdaJobs.Kind(3))));
    }

    [Fact]
    public void RoundTrip_OptionalParameterOmitted_UsesDefault() => AssertSame(() => LambdaJobs.Greet("Ann"));

    [Fact]
    public void RoundTrip_NewArrayAndLinqWithInnerLambda_EqualsDirectCall()
    {
        var xs = new[] { 1, 2, 3 };

        AssertSame(() => LambdaJobs.Sum(new[] { 4, 5, xs.Length }));
        AssertSame(() => LambdaJobs.Sum(xs.Select(i => i * 2).ToArray()));
    }

    [Fact]
    public void RoundTrip_List_EqualsDirectCall()
    {
        var items = new List<string> { "a", "b" };

        AssertSame(() => LambdaJobs.Join(items));
        AssertSame(() => LambdaJobs.Join(new List<string> { "x", items[0] }));
    }

    [Fact]
    public void RoundTrip_RecordAndEnum_EqualsDirectCall()
    {
        var order = new JobOrder("Ann", 3, JobPriority.Low);

        AssertSame(() => LambdaJobs.Describe(order));
        AssertSame(() => LambdaJobs.Escalate(new JobOrder("Bo", order.Quantity + 1, JobPriority.Normal), JobPriority.Urgent));
    }

    [Fact]
    public void RoundTrip_DateTime_KeepsValueAndKind()
    {
        var local = new DateTime(2024, 2, 28, 13, 45, 7, 123, DateTimeKind.Local);
        var utc = new DateTime(2024, 12, 31, 23, 59, 59, DateTimeKind.Utc);

        AssertSame(() => LambdaJobs.NextDay(local));
        AssertSame(() => LambdaJobs.NextDay(utc));
        Assert.Equal(DateTimeKind.Utc, ((DateTime)RoundTrip(LambdaCapture.Capture(() => LambdaJobs.NextDay(utc)))!).Kind);
    }

    [Fact]
    public void RoundTrip_NullableWithAndWithoutValue_EqualsDirectCall()
    {
        int? none = null;
        int? some = 4;

        AssertSame(() => LambdaJobs.OrMinusOne(none));
        AssertSame(() => LambdaJobs.OrMinusOne(some));
    }

    [Fact]
    public void RoundTrip_NaN_EqualsDirectCall() => AssertSame(() => LambdaJobs.Half(double.NaN));

    [Fact]
    public void RoundTrip_GenericMethod_BindsWithTypeArguments()
    {
        var order = new JobOrder("Cy", 1, JobPriority.Urgent);

        AssertSame(() => LambdaJobs.Pair("a", "b"));
        AssertSame(() => LambdaJobs.Pair(order, new JobOrder("Dee", 2, order.Priority)));
        AssertSame(() => LambdaJobs.Kinds<long>(new List<long> { 1, 2 }));
    }

    [Fact]
    public async Task RoundTrip_AsyncTaskOfInt_AwaitsToSameResult()
    {
        var value = 21;
        Expression<Func<Task<int>>> lambda = () => LambdaJobs.DoubleLaterAsync(value);

        var call = LambdaCapture.Capture(lambda);
        var remote = (Task<int>)RoundTrip(call)!;

        Assert.Equal(await lambda.Compile()(), await remote);
        Assert.Equal(typeof(int), call.ResultType);
    }

    [Fact]
    public async Task RoundTrip_AsyncTask_RunsMethod()
    {
        var message = "async " + Guid.NewGuid();

        var call = LambdaCapture.Capture(() => LambdaJobs.NothingLaterAsync(message));
        await (Task)RoundTrip(call)!;

        Assert.Contains(message, LambdaJobs.Logged);
        Assert.Equal(typeof(void), call.ResultType);
    }

    [Fact]
    public void RoundTrip_VoidMethod_RunsMethod()
    {
        var message = "void " + Guid.NewGuid();

        var call = LambdaCapture.Capture(() => LambdaJobs.Log(message));

        Assert.Null(RoundTrip(call));
        Assert.Contains(message, LambdaJobs.Logged);
        Assert.Equal(typeof(void), call.ResultType);
    }

    [Fact]
    public void RoundTrip_FrameworkMethod_BindsWithoutAssembly()
    {
        var a = 4;

        var call = LambdaCapture.Capture(() => Math.Max(a, 9));

        Assert.Equal(string.Empty, call.AssemblyPath);
        Assert.Equal(9, RoundTrip(call));
    }

    [Fact]
    public void RoundTrip_AssemblyGiven_BindsInIt()
    {
        var call = LambdaCapture.Capture(() => LambdaJobs.Add(1, 2));

        Assert.Equal(3, RoundTrip(call, typeof(LambdaJobs).Assembly));
    }

    [Fact]
    public void RoundTrip_ObjectParameter_ArrivesAsJsonElement()
    {
        var call = LambdaCapture.Capture(() => LambdaJobs.Show(new JobOrder("Di", 1, JobPriority.Low)));

        Assert.Equal("""{"Customer":"Di","Quantity":1,"Priority":"Low"}""", RoundTrip(call));
    }

    private static void AssertSame<T>(Expression<Func<T>> lambda)
    {
        var call = LambdaCapture.Capture(lambda);

        Assert.Equal(lambda.Compile()(), (T)RoundTrip(call)!);
        Assert.Equal(typeof(T), call.ResultType);
    }

    private static object? RoundTrip(LambdaCall call, Assembly? assembly = null)
    {
        var method = LambdaBinder.Bind(call.MethodName, call.ParameterTypes, call.GenericArguments, assembly);
        var arguments = LambdaBinder.ReadArguments(method, call.ArgumentsJson);
        return method.Invoke(null, arguments);
    }
}
