using System.Text.Json;
using FuncExec.Core.Functions;
using FuncExec.Core.Tests.Tasks;
using FuncExec.Tests.Functions;

namespace FuncExec.Core.Tests.Functions;

/// <summary>TaskContext and CancellationToken parameters are filled in by the worker, never bound to JSON arguments.</summary>
public sealed class InjectionTests
{
    private readonly MethodResolver _resolver = new();

    [Fact]
    public void Resolve_ContextFirst_BindsArgumentsToTheOtherParameters()
    {
        var runtime = new FakeTaskRuntime(taskId: 42);
        var args = JsonArgs.Of("[5]");

        var bound = _resolver.Resolve(ContextFunctions.Name + ".Who", args);

        Assert.True(bound.UsesContext);
        Assert.Equal("task 42 got 5", bound.Invoke(args, runtime.Context));
    }

    [Fact]
    public void Invoke_NoContext_PassesNullAndNoneToken()
    {
        var args = JsonArgs.Of("[5]");

        Assert.Equal("task none got 5", _resolver.Resolve(ContextFunctions.Name + ".Who", args).Invoke(args, null));
        Assert.Equal("5 cancelled=False can=False", _resolver.Resolve(ContextFunctions.Name + ".Token", args).Invoke(args, null));
    }

    [Fact]
    public void Invoke_Token_IsTheContextsToken()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var runtime = new FakeTaskRuntime(cancellationToken: cancellation.Token);
        var args = JsonArgs.Of("[3]");

        var result = _resolver.Resolve(ContextFunctions.Name + ".Token", args).Invoke(args, runtime.Context);

        Assert.Equal("3 cancelled=True can=True", result);
    }

    [Fact]
    public async Task Invoke_WithoutContextArgument_UsesTheInstalledRuntimesContext()
    {
        // Installed inside an async method, the runtime is gone again when it returns.
        var runtime = new FakeTaskRuntime(taskId: 9);
        runtime.Install();
        var args = JsonArgs.Of("[1]");

        var result = await Task.Run(() => _resolver.Resolve(ContextFunctions.Name + ".Who", args).Invoke(args));

        Assert.Equal("task 9 got 1", result);
    }

    [Theory]
    [InlineData("[1]", "one")]
    [InlineData("[1,2]", "two with token")]
    [InlineData("[\"x\"]", "string with context")]
    public void Resolve_OverloadsWithInjectedParameters_ChosenByTheOtherArguments(string json, string expected)
    {
        var args = JsonArgs.Of(json);

        Assert.Equal(expected, _resolver.Resolve(ContextFunctions.Name + ".Pick", args).Invoke(args, null));
    }

    [Fact]
    public void Resolve_ArgumentForTheContext_IsNotAccepted()
    {
        var args = JsonArgs.Of("[null,5]");

        Assert.Throws<ArgumentMismatchException>(() => _resolver.Resolve(ContextFunctions.Name + ".Who", args));
    }

    [Fact]
    public void Invoke_AsyncMethodReadingMessages_WaitsForThem()
    {
        var runtime = new FakeTaskRuntime();
        runtime.Post(0, "2");
        runtime.Post(4, "40");
        var args = JsonArgs.Of("[2]");

        var result = _resolver.Resolve(ContextFunctions.Name + ".SumMessagesAsync", args).Invoke(args, runtime.Context);

        Assert.Equal(42, result);
    }
}
