using System.Reflection;
using System.Text.Json;
using FuncExec.Core.Functions.Internal;

namespace FuncExec.Core.Functions.Lambdas;

/// <summary>
/// The worker's side of <see cref="LambdaCapture"/>: finds the exact method a <see cref="LambdaCall"/>
/// names and reads its arguments, so that <c>method.Invoke(null, arguments)</c> does what calling the
/// lambda on the client would have done.
/// </summary>
/// <remarks>
/// Unlike <see cref="MethodResolver"/>, nothing is chosen from the shapes of the JSON arguments: the
/// overload is the one whose parameter types are exactly those the client sent.
/// </remarks>
internal static class LambdaBinder
{
    private static readonly TypeLocator Types = new();

    /// <summary>Finds the public static method with exactly these parameter types and, for a generic method, type arguments.</summary>
    /// <param name="methodName">The method's full name, <see cref="LambdaCall.MethodName"/>.</param>
    /// <param name="parameterTypes">The assembly-qualified parameter types, <see cref="LambdaCall.ParameterTypes"/>.</param>
    /// <param name="genericArguments">The assembly-qualified type arguments, <see cref="LambdaCall.GenericArguments"/>; empty for a non-generic method.</param>
    /// <param name="assembly">The assembly loaded from <see cref="LambdaCall.AssemblyPath"/>, searched first; null for a framework method.</param>
    /// <returns>The method, constructed with its type arguments when it is generic.</returns>
    /// <exception cref="FunctionNotFoundException">The type, a parameter type or the method cannot be found; the worker's copy of the assembly may differ from the client's.</exception>
    public static MethodInfo Bind(string methodName, IReadOnlyList<string> parameterTypes, IReadOnlyList<string> genericArguments, Assembly? assembly)
    {
        ArgumentNullException.ThrowIfNull(methodName);
        ArgumentNullException.ThrowIfNull(parameterTypes);
        ArgumentNullException.ThrowIfNull(genericArguments);
        var dot = methodName.LastIndexOf('.');
        if (dot <= 0 || dot == methodName.Length - 1)
        {
            throw NotFound(methodName, $"'{methodName}' is not a full method name like Namespace.Type.Method");
        }

        var typeName = methodName[..dot];
        var name = methodName[(dot + 1)..];
        var type = Types.Find(typeName, assembly)
            ?? throw NotFound(methodName, $"type '{typeName}' was not found{Where(assembly)}");
        var parameters = ResolveAll(methodName, parameterTypes, "parameter", assembly);
        var typeArguments = ResolveAll(methodName, genericArguments, "type argument", assembly);

        foreach (var candidate in type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
        {
            if (!string.Equals(candidate.Name, name, StringComparison.Ordinal)
                || candidate.GetGenericArguments().Length != typeArguments.Length
                || candidate.GetParameters().Length != parameters.Length)
            {
                continue;
            }

            var method = candidate;
            if (typeArguments.Length > 0)
            {
                try
                {
                    method = candidate.MakeGenericMethod(typeArguments);
                }
                catch (ArgumentException)
                {
                    // The type arguments break this overload's constraints: it is not the one.
                    continue;
                }
            }

            if (ParametersAre(method, parameters))
            {
                return method;
            }
        }

        throw NotFound(methodName, $"no public static method {name}({string.Join(", ", parameters.Select(TypeNames.Format))}) on {TypeNames.FullName(type)}{Where(assembly)}; the worker's copy of the assembly may differ from the client's");
    }

    /// <summary>Reads one argument per parameter of <paramref name="method"/> from a JSON array, each as its parameter's type.</summary>
    /// <param name="method">The method <see cref="Bind"/> returned.</param>
    /// <param name="argumentsJson">The UTF-8 JSON array, <see cref="LambdaCall.ArgumentsJson"/>.</param>
    /// <returns>The arguments, ready for <c>method.Invoke(null, arguments)</c>. Missing trailing optional arguments take their defaults.</returns>
    /// <remarks>A <see cref="TaskContext"/> or <see cref="CancellationToken"/> parameter gets <see cref="TaskContext.Current"/> or its token.</remarks>
    /// <exception cref="ArgumentMismatchException">The JSON is not an array, has too many or too few items, or an item does not convert to its parameter's type.</exception>
    public static object?[] ReadArguments(MethodInfo method, ReadOnlySpan<byte> argumentsJson) =>
        ReadArguments(method, argumentsJson, TaskContext.Current);

    /// <summary>Reads one argument per parameter of <paramref name="method"/> from a JSON array, passing <paramref name="context"/> to the injected ones.</summary>
    /// <param name="method">The method <see cref="Bind"/> returned.</param>
    /// <param name="argumentsJson">The UTF-8 JSON array, <see cref="LambdaCall.ArgumentsJson"/>.</param>
    /// <param name="context">
    /// The running task's context: a <see cref="TaskContext"/> parameter gets it and a <see cref="CancellationToken"/>
    /// parameter its token, whatever the JSON holds there (<see cref="LambdaCapture"/> writes null); without one,
    /// they get null and <see cref="CancellationToken.None"/>.
    /// </param>
    /// <returns>The arguments, ready for <c>method.Invoke(null, arguments)</c>. Missing trailing optional arguments take their defaults.</returns>
    /// <exception cref="ArgumentMismatchException">The JSON is not an array, has too many or too few items, or an item does not convert to its parameter's type.</exception>
    public static object?[] ReadArguments(MethodInfo method, ReadOnlySpan<byte> argumentsJson, TaskContext? context)
    {
        ArgumentNullException.ThrowIfNull(method);
        return ReadArguments(method, method.GetParameters(), argumentsJson, context);
    }

    internal static object?[] ReadArguments(MethodInfo method, ParameterInfo[] parameters, ReadOnlySpan<byte> argumentsJson, TaskContext? context)
    {
        var values = new object?[parameters.Length];
        var reader = new Utf8JsonReader(argumentsJson);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw Mismatch(method, "the arguments must be a JSON array");
            }

            var count = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (count == parameters.Length)
                {
                    throw Mismatch(method, $"{Signature(method)} takes {parameters.Length} arguments but more were given");
                }

                var type = parameters[count].ParameterType;
                if (InjectedParameters.IsInjected(type))
                {
                    reader.Skip();
                    values[count] = InjectedParameters.ValueFor(type, context);
                }
                else
                {
                    values[count] = ReadOne(method, parameters[count], ref reader);
                }

                count++;
            }

            for (; count < parameters.Length; count++)
            {
                var type = parameters[count].ParameterType;
                if (InjectedParameters.IsInjected(type))
                {
                    values[count] = InjectedParameters.ValueFor(type, context);
                    continue;
                }

                if (!parameters[count].HasDefaultValue)
                {
                    throw Mismatch(method, $"{Signature(method)} takes {parameters.Length} arguments but {count} were given");
                }

                values[count] = parameters[count].DefaultValue;
            }
        }
        catch (JsonException ex)
        {
            throw Mismatch(method, $"the arguments of {Signature(method)} are not valid JSON: {ex.Message}");
        }

        return values;
    }

    private static object? ReadOne(MethodInfo method, ParameterInfo parameter, ref Utf8JsonReader reader)
    {
        try
        {
            return JsonSerializer.Deserialize(ref reader, parameter.ParameterType, FunctionJson.OptionsFor(parameter.ParameterType));
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw Mismatch(method, $"argument '{parameter.Name}' of {Signature(method)} does not convert to {TypeNames.Format(parameter.ParameterType)}: {ex.Message}");
        }
    }

    private static Type[] ResolveAll(string methodName, IReadOnlyList<string> names, string what, Assembly? assembly)
    {
        var types = new Type[names.Count];
        for (var i = 0; i < types.Length; i++)
        {
            types[i] = QualifiedTypeResolver.Resolve(names[i], assembly)
                ?? throw NotFound(methodName, $"{what} type '{names[i]}' of {methodName} was not found{Where(assembly)}");
        }

        return types;
    }

    private static bool ParametersAre(MethodInfo method, Type[] types)
    {
        var parameters = method.GetParameters();
        for (var i = 0; i < parameters.Length; i++)
        {
            if (parameters[i].ParameterType != types[i])
            {
                return false;
            }
        }

        return true;
    }

    private static string Where(Assembly? assembly) =>
        assembly is null ? " in the loaded assemblies or the framework" : $" in {assembly.GetName().Name}, the loaded assemblies or the framework";

    private static string Signature(MethodInfo method) => TypeNames.Signature(method.DeclaringType!, method);

    private static FunctionNotFoundException NotFound(string methodName, string message) => new(methodName, message, []);

    // ArgumentMismatchException carries no inner exception; the serializer's message is in the text.
    private static ArgumentMismatchException Mismatch(MethodInfo method, string message) =>
        new(method.DeclaringType!.FullName + "." + method.Name, message, [Signature(method)]);
}
