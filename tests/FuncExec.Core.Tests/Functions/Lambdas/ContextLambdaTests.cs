using System.Text;
using FuncExec.Core.Functions.Lambdas;
using FuncExec.Core.Tests.Tasks;

namespace FuncExec.Core.Tests.Functions.Lambdas;

/// <summary>Lambdas that take the task's context: captured on the client, bound and invoked as the worker does.</summary>
public sealed class ContextLambdaTests
{
    [Fact]
    public void Capture_ContextParameterPassedWhole_WrittenAsNull()
    {
        var n = 5;

        var call = LambdaCapture.Capture(ctx => ContextFunctions.Who(ctx, n));

        Assert.Equal("[null,5]", Encoding.UTF8.GetString(call.ArgumentsJson));
        Assert.Equal([typeof(TaskContext).AssemblyQualifiedName!, typeof(int).AssemblyQualifiedName!], call.ParameterTypes);
        Assert.Equal(typeof(string), call.ResultType);
    }

    [Fact]
    public void Capture_ContextsToken_WrittenAsNull()
    {
        var call = LambdaCapture.Capture(ctx => ContextFunctions.Token(3, ctx.CancellationToken));

        Assert.Equal("[3,null]", Encoding.UTF8.GetString(call.ArgumentsJson));
    }

    [Fact]
    public void Capture_AsyncWithContext_ResultIsTheAwaitedType()
    {
        var call = LambdaCapture.Capture(ctx => ContextFunctions.SumMessagesAsync(ctx, 2));

        Assert.Equal(typeof(int), call.ResultType);
        Assert.Equal("[null,2]", Encoding.UTF8.GetString(call.ArgumentsJson));
    }

    [Fact]
    public void Capture_TokenOfTheClientInLambdaWithoutParameter_NotSent()
    {
        using var cancellation = new CancellationTokenSource();

        var call = LambdaCapture.Capture(() => ContextFunctions.Token(3, cancellation.Token));

        Assert.Equal("[3,null]", Encoding.UTF8.GetString(call.ArgumentsJson));
    }

    [Fact]
    public void Capture_OtherUseOfTheContext_RefusedSayingHowToPassIt()
    {
        var error = Assert.Throws<LambdaNotSupportedException>(() => LambdaCapture.Capture(ctx => LambdaJobs.Add((int)ctx.TaskId, 1)));

        Assert.Contains("uses the lambda's parameter 'ctx', the task's context", error.Message, StringComparison.Ordinal);
        Assert.Contains("ctx.CancellationToken", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RoundTrip_ContextAndToken_TheWorkersAreInjected()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var runtime = new FakeTaskRuntime(taskId: 31, cancellationToken: cancellation.Token);

        Assert.Equal("task 31 got 4", Invoke(LambdaCapture.Capture(ctx => ContextFunctions.Who(ctx, 4)), runtime.Context));
        Assert.Equal("2 cancelled=True can=True", Invoke(LambdaCapture.Capture(ctx => ContextFunctions.Token(2, ctx.CancellationToken)), runtime.Context));
    }

    [Fact]
    public void RoundTrip_AsyncWithMessages_AwaitedResult()
    {
        var runtime = new FakeTaskRuntime();
        runtime.Post(0, "20");
        runtime.Post(0, "22");

        var result = Invoke(LambdaCapture.Capture(ctx => ContextFunctions.SumMessagesAsync(ctx, 2)), runtime.Context);

        Assert.Equal(42, result);
    }

    [Fact]
    public void BoundLambda_SerializeResult_WritesJsonOrNullForVoid()
    {
        var bound = Bind(LambdaCapture.Capture(() => LambdaJobs.Escalate(new JobOrder("Ann", 1, JobPriority.Low), JobPriority.Urgent)));
        var nothing = Bind(LambdaCapture.Capture(() => LambdaJobs.NothingLaterAsync("x")));

        Assert.Equal("""{"Customer":"Ann","Quantity":1,"Priority":"Urgent"}""", Encoding.UTF8.GetString(bound.SerializeResult(bound.Invoke("""[{"customer":"Ann","quantity":1,"priority":"Low"},"Urgent"]"""u8, null))));
        Assert.Equal("null", Encoding.UTF8.GetString(nothing.SerializeResult(nothing.Invoke("""["x"]"""u8, null))));
    }

    private static BoundLambda Bind(LambdaCall call) =>
        BoundLambda.Create(LambdaBinder.Bind(call.MethodName, call.ParameterTypes, call.GenericArguments, assembly: null));

    private static object? Invoke(LambdaCall call, TaskContext context) => Bind(call).Invoke(call.ArgumentsJson, context);
}
