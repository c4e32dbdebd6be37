using System.Collections.ObjectModel;
using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using FuncExec.Core.Errors;
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
/// <para>Nothing is cached: every lambda carries fresh closures, so each capture evaluates anew.</para>
/// </remarks>
public static class LambdaCapture
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
        Validate(method);
        var parameters = method.GetParameters();
        var json = WriteArguments(method, parameters, call.Arguments, expression.Parameters);
        var type = method.DeclaringType!;
        var assembly = type.Assembly;
        return new LambdaCall(
            MethodName: type.FullName + "." + method.Name,
            AssemblyPath: AssemblyPathOf(assembly),
            AssemblyName: assembly.GetName().Name ?? string.Empty,
            ParameterTypes: Array.ConvertAll(parameters, static p => QualifiedName(p.ParameterType)),
            GenericArguments: method.IsGenericMethod ? Array.ConvertAll(method.GetGenericArguments(), QualifiedName) : [],
            ResultType: ResultTypeOf(method.ReturnType),
            ArgumentsJson: json);
    }

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
            if (ParameterUseFinder.Find(arguments[i], lambdaParameters) is { } used)
            {
                throw LambdaErrors.UsesParameter(method, parameters[i], used);
            }

            CheckIsData(method, parameters[i], parameters[i].ParameterType);
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var i = 0; i < arguments.Count; i++)
            {
                var parameter = parameters[i];
                var value = ArgumentEvaluator.Evaluate(arguments[i]);
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

            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
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
