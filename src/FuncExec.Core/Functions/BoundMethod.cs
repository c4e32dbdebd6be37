using System.Reflection;
using System.Text.Json;
using FuncExec.Core.Functions.Internal;

namespace FuncExec.Core.Functions;

/// <summary>
/// A public static method chosen by <see cref="MethodResolver"/> for one shape of JSON arguments,
/// ready to be called many times.
/// </summary>
/// <remarks>
/// <para>Each call converts the JSON arguments to the parameter types (numbers, strings and booleans
/// directly; enums by name, ignoring case; <see cref="Guid"/>, <see cref="DateTime"/>,
/// <see cref="DateTimeOffset"/>, <see cref="TimeSpan"/>, <see cref="DateOnly"/> and
/// <see cref="TimeOnly"/> parsed from strings; arrays and lists item by item; other types with
/// <see cref="JsonSerializer"/>, property names matched ignoring case) and calls the method through a
/// delegate compiled once. Omitted optional parameters take their defaults; a <c>params</c> array
/// takes the remaining arguments.</para>
/// <para>An awaitable result (<see cref="Task"/>, <see cref="Task{TResult}"/>, <see cref="ValueTask"/>,
/// <see cref="ValueTask{TResult}"/>) is waited for and its result returned. Exceptions thrown by the
/// method reach the caller unwrapped.</para>
/// <para>Instances are immutable and safe to call from many threads.</para>
/// </remarks>
internal sealed class BoundMethod
{
    private readonly Func<JsonElement, object?>[] _converters;
    private readonly Type[] _argumentTypes;
    private readonly Func<object?[], TaskContext?, object?> _invoker;
    private readonly string _functionName;

    internal BoundMethod(Type type, OverloadCandidate candidate, int argumentCount, string functionName)
    {
        _functionName = functionName;
        Method = candidate.Method;
        Signature = TypeNames.Signature(type, candidate.Method);
        _argumentTypes = new Type[argumentCount];
        _converters = new Func<JsonElement, object?>[argumentCount];
        for (var i = 0; i < argumentCount; i++)
        {
            _argumentTypes[i] = OverloadCandidate.ParameterTypeAt(candidate.Parameters, i, candidate.Expanded);
            _converters[i] = ArgumentConverters.For(_argumentTypes[i]);
        }

        _invoker = InvokerFactory.Compile(candidate, argumentCount, out var resultType);
        ReturnType = resultType;
        UsesContext = candidate.AllParameters.Length != candidate.Parameters.Length;
    }

    /// <summary>The chosen overload in C# syntax, e.g. <c>System.Math.Min(int, int)</c>, with inferred type arguments.</summary>
    public string Signature { get; }

    /// <summary>
    /// The type of what <see cref="Invoke(IReadOnlyList{JsonElement}, TaskContext?)"/> returns: the method's return type, or <c>T</c> when it
    /// returns <see cref="Task{TResult}"/> or <see cref="ValueTask{TResult}"/>, and <see cref="void"/>
    /// for <c>void</c>, <see cref="Task"/> and <see cref="ValueTask"/>.
    /// </summary>
    public Type ReturnType { get; }

    /// <summary>
    /// True when the method has a <see cref="TaskContext"/> or <see cref="CancellationToken"/> parameter,
    /// which <see cref="Invoke(IReadOnlyList{JsonElement}, TaskContext?)"/> fills in from the task's context.
    /// </summary>
    public bool UsesContext { get; }

    /// <summary>The method that is called, with inferred type arguments.</summary>
    internal MethodInfo Method { get; }

    /// <summary>Converts the arguments, calls the method and returns its result, waited for when it is awaitable.</summary>
    /// <param name="args">As many arguments as the method was resolved for, of the same JSON kinds.</param>
    /// <returns>The result boxed, or null for <c>void</c>, <see cref="Task"/> and <see cref="ValueTask"/>.</returns>
    /// <remarks>Injected parameters get <see cref="TaskContext.Current"/>.</remarks>
    /// <exception cref="ArgumentMismatchException">The count of arguments differs, or one does not convert to its parameter type.</exception>
    public object? Invoke(IReadOnlyList<JsonElement> args) => Invoke(args, UsesContext ? TaskContext.Current : null);

    /// <summary>Converts the arguments, calls the method with <paramref name="context"/> in its injected parameters, and returns its result.</summary>
    /// <param name="args">As many arguments as the method was resolved for, of the same JSON kinds.</param>
    /// <param name="context">
    /// The running task's context, for a <see cref="TaskContext"/> parameter and (its token) a <see cref="CancellationToken"/>
    /// parameter; when null, they get null and <see cref="CancellationToken.None"/>.
    /// </param>
    /// <returns>The result boxed, or null for <c>void</c>, <see cref="Task"/> and <see cref="ValueTask"/>.</returns>
    /// <exception cref="ArgumentMismatchException">The count of arguments differs, or one does not convert to its parameter type.</exception>
    public object? Invoke(IReadOnlyList<JsonElement> args, TaskContext? context)
    {
        ArgumentNullException.ThrowIfNull(args);
        var converters = _converters;
        if (args.Count != converters.Length)
        {
            throw new ArgumentMismatchException(
                _functionName,
                $"{Signature} was resolved for {converters.Length} arguments but was called with {args.Count}",
                [Signature]);
        }

        var values = converters.Length == 0 ? [] : new object?[converters.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Convert(i, args[i]);
        }

        return _invoker(values, context);
    }

    /// <summary>
    /// The result as UTF-8 JSON, serialized by its runtime type; <c>null</c> when the method returns
    /// nothing (<c>void</c>, <see cref="Task"/>, <see cref="ValueTask"/>) or returned null.
    /// </summary>
    /// <remarks>Enums are written by name, fields of value tuples included, and NaN and infinities as strings.</remarks>
    public byte[] SerializeResult(object? value) => FunctionJson.SerializeResult(value, ReturnType == typeof(void));

    private object? Convert(int index, JsonElement value)
    {
        try
        {
            return _converters[index](value);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or JsonException
            or OverflowException or ArgumentException or NotSupportedException)
        {
            var given = value.ValueKind == JsonValueKind.Undefined ? "an undefined value" : value.GetRawText();
            if (given.Length > 80)
            {
                given = given[..77] + "...";
            }

            throw new ArgumentMismatchException(
                _functionName,
                $"argument {index + 1} of {Signature} must be {TypeNames.Format(_argumentTypes[index])} but is {given}: {ex.Message}",
                [Signature]);
        }
    }
}
