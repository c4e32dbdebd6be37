using System.Reflection;
using FuncExec.Core.Functions.Internal;

namespace FuncExec.Core.Functions.Lambdas;

/// <summary>
/// A method <see cref="LambdaBinder.Bind"/> found, compiled once for many calls: reads a call's JSON
/// arguments, calls it, waits for an awaitable result and serializes what it returns.
/// </summary>
/// <remarks>
/// A <see cref="TaskContext"/> or <see cref="CancellationToken"/> parameter gets the running task's context
/// or its token. Exceptions thrown by the method reach the caller unwrapped. Instances are immutable and
/// safe to call from many threads.
/// </remarks>
internal sealed class BoundLambda
{
    private readonly ParameterInfo[] _parameters;
    private readonly Func<object?[], object?> _invoker;
    private readonly Lazy<MapChunkRunner?> _chunkRunner;

    private BoundLambda(MethodInfo method)
    {
        Method = method;
        _parameters = method.GetParameters();
        UsesContext = InjectedParameters.Any(_parameters);
        _invoker = InvokerFactory.Compile(method, out var resultType);
        ReturnType = resultType;
        _chunkRunner = new Lazy<MapChunkRunner?>(() => MapChunkRunner.TryCreate(this), LazyThreadSafetyMode.PublicationOnly);
    }

    /// <summary>The method that is called.</summary>
    public MethodInfo Method { get; }

    /// <summary>
    /// The type of what <see cref="Invoke"/> returns: <c>T</c> for a method returning <c>T</c>,
    /// <see cref="Task{TResult}"/> or <see cref="ValueTask{TResult}"/>; <see cref="void"/> for none.
    /// </summary>
    public Type ReturnType { get; }

    /// <summary>True when the method has a <see cref="TaskContext"/> or <see cref="CancellationToken"/> parameter.</summary>
    public bool UsesContext { get; }

    /// <summary>Compiles the call of <paramref name="method"/>, as <see cref="LambdaBinder.Bind"/> returned it.</summary>
    public static BoundLambda Create(MethodInfo method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return new BoundLambda(method);
    }

    /// <summary>Reads the arguments, calls the method and returns its result, waited for when it is awaitable.</summary>
    /// <param name="argumentsJson">The call's arguments, <see cref="LambdaCall.ArgumentsJson"/>.</param>
    /// <param name="context">The running task's context for the injected parameters, or null.</param>
    /// <returns>The result boxed, or null when the method returns nothing.</returns>
    /// <exception cref="ArgumentMismatchException">An argument does not convert to its parameter's type.</exception>
    public object? Invoke(ReadOnlySpan<byte> argumentsJson, TaskContext? context) =>
        _invoker(LambdaBinder.ReadArguments(Method, _parameters, argumentsJson, context));

    /// <summary>Runs map chunks of this method without boxing or a buffer per item; null when its shape does not allow
    /// it (see <see cref="MapChunkRunner"/>). Made on first use.</summary>
    public MapChunkRunner? ChunkRunner => _chunkRunner.Value;

    /// <summary>The result as UTF-8 JSON, serialized by its runtime type; <c>null</c> when the method returns nothing.</summary>
    public byte[] SerializeResult(object? value) => FunctionJson.SerializeResult(value, ReturnType == typeof(void));
}
