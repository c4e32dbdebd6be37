using System.Collections.ObjectModel;
using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using FuncExec.Core.Functions.Internal;

namespace FuncExec.Core.Functions.Lambdas;

/// <summary>
/// Captures a call written as a lambda, <c>() =&gt; Jobs.Flops(n, 2048)</c>, as a <see cref="LambdaCall"/>
/// a worker can bind with <see cref="LambdaBinder"/> and invoke.
/// </summary>
/// <remarks>
/// <para>The lambda's body must be a call to a public static method of a public, non-generic type
/// (generic methods are fine) with no <c>ref</c> or <c>out</c> parameters. Anything else, such as
/// <c>() =&gt; x + 1</c>, <c>() =&gt; new Foo()</c> or <c>() =&gt; obj.F()</c>, is refused with a
/// <see cref="LambdaNotSupportedException"/> that says what to write instead.</para>
/// <para>Marshalling rules: each argument is evaluated once, in order, on the client, when
/// <c>Capture</c> is called; it may be any expression (captured variables, constants, arithmetic,
/// <c>new[] { ... }</c>, object creation, calls) except one that reads a parameter of the lambda
/// itself. Exceptions thrown while evaluating an argument reach the caller unchanged. Each value is
/// then written as JSON as its parameter's declared type, not its runtime type: a derived object
/// passed for a base-class parameter loses its extra members, and an <c>object</c> parameter arrives
/// on the worker as a <see cref="JsonElement"/>. Enums travel by name, public fields are included,
/// and NaN and the infinities travel as strings. Streams, delegates, pointers and other values that
/// are not data are refused, naming the parameter.</para>
/// <para>A lambda may take the task's context as its parameter, <c>ctx =&gt; Jobs.Echo(ctx, 5)</c>: an
/// argument that is that parameter itself, or <c>ctx.CancellationToken</c>, is not evaluated on the
/// client; the worker passes the running task's <see cref="TaskContext"/> or its token. Parameters of
/// type <see cref="TaskContext"/> and <see cref="CancellationToken"/> always get those on the worker, so
/// what a lambda passes there (<c>CancellationToken.None</c>, say) is not sent; it is written as
/// <c>null</c>. Any other use of the lambda's parameter is refused.</para>
/// <para>No argument is cached: every lambda carries fresh closures, so each capture evaluates anew. What is
/// known of the method itself (checked, its names) is kept for the next capture of a call to it.</para>
/// </remarks>
internal static partial class LambdaCapture
{
    private static readonly string RuntimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location) ?? string.Empty;

    /// <summary>Captures a call to a method that returns a value, e.g. <c>() =&gt; Jobs.Add(a, b)</c>.</summary>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call FuncExec can send.</exception>
    public static LambdaCall Capture<T>(Expression<Func<T>> expression) => Capture((LambdaExpression)expression);

    /// <summary>Captures a call to an async method that returns a value, e.g. <c>() =&gt; Jobs.FetchAsync(url)</c>.</summary>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call FuncExec can send.</exception>
    public static LambdaCall Capture<T>(Expression<Func<Task<T>>> expression) => Capture((LambdaExpression)expression);

    /// <summary>Captures a call to an async method that returns nothing, e.g. <c>() =&gt; Jobs.SendAsync(to)</c>.</summary>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call FuncExec can send.</exception>
    public static LambdaCall Capture(Expression<Func<Task>> expression) => Capture((LambdaExpression)expression);

    /// <summary>Captures a call to a <c>void</c> method, e.g. <c>() =&gt; Jobs.Log(message)</c>.</summary>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call FuncExec can send.</exception>
    public static LambdaCall Capture(Expression<Action> expression) => Capture((LambdaExpression)expression);

    /// <summary>Captures a call that takes the task's context, e.g. <c>ctx =&gt; Jobs.Echo(ctx, 5)</c>.</summary>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call FuncExec can send.</exception>
    public static LambdaCall Capture<T>(Expression<Func<TaskContext, T>> expression) => Capture((LambdaExpression)expression);

    /// <summary>Captures a call to an async method that takes the task's context, e.g. <c>ctx =&gt; Jobs.PollAsync(ctx.CancellationToken)</c>.</summary>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call FuncExec can send.</exception>
    public static LambdaCall Capture<T>(Expression<Func<TaskContext, Task<T>>> expression) => Capture((LambdaExpression)expression);

    /// <summary>Captures a call to an async method that takes the task's context and returns nothing.</summary>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call FuncExec can send.</exception>
    public static LambdaCall Capture(Expression<Func<TaskContext, Task>> expression) => Capture((LambdaExpression)expression);

    /// <summary>Captures a call to a <c>void</c> method that takes the task's context, e.g. <c>ctx =&gt; Jobs.Serve(ctx)</c>.</summary>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call FuncExec can send.</exception>
    public static LambdaCall Capture(Expression<Action<TaskContext>> expression) => Capture((LambdaExpression)expression);

    /// <summary>Captures the call that is the body of <paramref name="expression"/>, evaluating its arguments now.</summary>
    /// <param name="expression">A lambda whose body is a call to a public static method.</param>
    /// <returns>The method and its arguments as JSON.</returns>
    /// <exception cref="LambdaNotSupportedException">The lambda is not a call FuncExec can send; the message says why and what to write instead.</exception>
    public static LambdaCall Capture(LambdaExpression expression)
    {
        ArgumentNullException.ThrowIfNull(expression);

        // A lambda typed Func<object> boxes the call's result; the call is underneath.
        var body = expression.Body;
        while (body is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert)
        {
            body = convert.Operand;
        }

        if (body is not MethodCallExpression call)
        {
            throw LambdaErrors.NotACall(expression);
        }

        var method = call.Method;
        var described = Describe(method);
        var json = WriteArguments(method, described.Parameters, call.Arguments, expression.Parameters);
        return described.Call with { ArgumentsJson = json };
    }

    // A method checked and named once (its parameters, assembly, and assembly-qualified type names cost more than a
    // small call's whole capture), kept as long as the method is: a collectible assembly's go with it.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<MethodInfo, DescribedMethod> Described = [];

    /// <summary>The method, validated, with its parameters and its call (arguments empty), from the cache when it has
    /// been described before.</summary>
    /// <exception cref="LambdaNotSupportedException">The method cannot be sent (refusals are not cached).</exception>
    private static DescribedMethod Describe(MethodInfo method)
    {
        if (Described.TryGetValue(method, out var described))
        {
            return described;
        }

        Validate(method);
        var parameters = method.GetParameters();
        var type = method.DeclaringType!;
        var assembly = type.Assembly;
        var call = new LambdaCall(
            MethodName: type.FullName + "." + method.Name,
            AssemblyPath: AssemblyPathOf(assembly),
            AssemblyName: assembly.GetName().Name ?? string.Empty,
            ParameterTypes: Array.ConvertAll(parameters, static p => QualifiedName(p.ParameterType)),
            GenericArguments: method.IsGenericMethod ? Array.ConvertAll(method.GetGenericArguments(), QualifiedName) : [],
            ResultType: ResultTypeOf(method.ReturnType),
            ArgumentsJson: []);
        return Described.GetValue(method, _ => new DescribedMethod(parameters, call));
    }

    private sealed record DescribedMethod(ParameterInfo[] Parameters, LambdaCall Call);

    private static void Validate(MethodInfo method)
    {
        if (!method.IsStatic)
        {
            throw LambdaErrors.InstanceMethod(method);
        }

        // A method with no declaring type is a global module function; C# cannot write one.
        var type = method.DeclaringType ?? throw LambdaErrors.MethodNotPublic(method);
        if (!type.IsVisible)
        {
            throw LambdaErrors.TypeNotPublic(method, type);
        }

        if (!method.IsPublic)
        {
            throw LambdaErrors.MethodNotPublic(method);
        }

        // The worker finds the type by name, and a name cannot carry the type arguments.
        if (type.IsGenericType)
        {
            throw LambdaErrors.GenericType(method);
        }

        foreach (var parameter in method.GetParameters())
        {
            if (parameter.ParameterType.IsByRef)
            {
                throw LambdaErrors.ByRef(method, parameter);
            }
        }
    }

    private static byte[] WriteArguments(
        MethodInfo method,
        ParameterInfo[] parameters,
        ReadOnlyCollection<Expression> arguments,
        ReadOnlyCollection<ParameterExpression> lambdaParameters)
    {
        // Check every argument before evaluating any, so a refused lambda runs none of its code.
        for (var i = 0; i < arguments.Count; i++)
        {
            var injected = InjectedParameters.IsInjected(parameters[i].ParameterType);
            if (!(injected && IsContextReference(arguments[i], lambdaParameters))
                && ParameterUseFinder.Find(arguments[i], lambdaParameters) is { } used)
            {
                throw used.Type == typeof(TaskContext)
                    ? LambdaErrors.UsesContext(method, parameters[i], used)
                    : LambdaErrors.UsesParameter(method, parameters[i], used);
            }

            if (!injected)
            {
                CheckIsData(method, parameters[i], parameters[i].ParameterType);
            }
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var i = 0; i < arguments.Count; i++)
            {
                var parameter = parameters[i];
                if (InjectedParameters.IsInjected(parameter.ParameterType))
                {
                    // The worker passes the running task's context or token here, whatever the lambda says.
                    writer.WriteNullValue();
                    continue;
                }

                WriteArgument(writer, method, parameter, ArgumentEvaluator.Evaluate(arguments[i]));
            }

            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes one argument's value as JSON of its parameter's type, refusing what is not data.</summary>
    /// <exception cref="LambdaNotSupportedException">The value is not data JSON can carry; the message names the type that failed.</exception>
    internal static void WriteArgument(Utf8JsonWriter writer, MethodInfo method, ParameterInfo parameter, object? value)
    {
        if (value is not null)
        {
            CheckIsData(method, parameter, value.GetType());
        }

        try
        {
            JsonSerializer.Serialize(writer, value, parameter.ParameterType, FunctionJson.Options);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or JsonException or ArgumentException)
        {
            // The type may be declared as object or an interface: name the type that failed.
            throw LambdaErrors.NotSerializable(method, parameter, value?.GetType() ?? parameter.ParameterType, ex.Message, ex);
        }
    }

    // The lambda's TaskContext parameter itself, or its CancellationToken: what the worker fills in.
    private static bool IsContextReference(Expression argument, ReadOnlyCollection<ParameterExpression> lambdaParameters)
    {
        while (argument is UnaryExpression { NodeType: ExpressionType.Convert } convert)
        {
            argument = convert.Operand;
        }

        if (argument is MemberExpression { Member: PropertyInfo { Name: nameof(TaskContext.CancellationToken) } property } member
            && property.DeclaringType == typeof(TaskContext))
        {
            argument = member.Expression!;
        }

        return argument is ParameterExpression parameter && parameter.Type == typeof(TaskContext) && lambdaParameters.Contains(parameter);
    }

    // The serializer would write a stream's properties (or throw on its ReadTimeout) and a pointer
    // as a number; neither arrives as what the caller meant.
    private static void CheckIsData(MethodInfo method, ParameterInfo parameter, Type type)
    {
        if (type.IsPointer || type.IsFunctionPointer || type.IsByRefLike)
        {
            throw LambdaErrors.NotSerializable(method, parameter, type, "it refers to memory of this process");
        }

        if (typeof(Stream).IsAssignableFrom(type))
        {
            throw LambdaErrors.NotSerializable(method, parameter, type, "a stream is a handle to data on this machine, not the data; pass a byte[] or a path the worker can read");
        }

        if (typeof(Delegate).IsAssignableFrom(type))
        {
            throw LambdaErrors.NotSerializable(method, parameter, type, "a delegate is code, not data; call the code in the job method itself");
        }
    }

    private static string AssemblyPathOf(Assembly assembly)
    {
        if (assembly.IsDynamic || string.IsNullOrEmpty(assembly.Location))
        {
            return string.Empty;
        }

        var directory = Path.GetDirectoryName(assembly.Location);
        return string.Equals(directory, RuntimeDirectory, StringComparison.Ordinal) ? string.Empty : assembly.Location;
    }

    private static string QualifiedName(Type type) =>
        type.AssemblyQualifiedName ?? throw new LambdaNotSupportedException($"type {TypeNames.Format(type)} has no assembly-qualified name; use a concrete type");

    private static Type ResultTypeOf(Type returnType)
    {
        if (returnType == typeof(Task) || returnType == typeof(ValueTask))
        {
            return typeof(void);
        }

        if (returnType.IsGenericType)
        {
            var definition = returnType.GetGenericTypeDefinition();
            if (definition == typeof(Task<>) || definition == typeof(ValueTask<>))
            {
                return returnType.GetGenericArguments()[0];
            }
        }

        return returnType;
    }
}
