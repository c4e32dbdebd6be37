using System.Linq.Expressions;
using System.Reflection;

namespace FuncExec.Core.Functions.Internal;

/// <summary>
/// Compiles the call of a resolved overload into a delegate that takes the converted arguments
/// boxed in an array, fills omitted optional parameters with their defaults, packs a
/// <c>params</c> tail, passes the task's context to injected parameters, waits for an awaitable
/// result and boxes what it returns.
/// </summary>
/// <remarks>
/// A compiled call costs a few nanoseconds where <see cref="MethodBase.Invoke(object?, object?[])"/>
/// costs far more, and it lets the method's own exceptions through unwrapped.
/// </remarks>
internal static class InvokerFactory
{
    public static Func<object?[], TaskContext?, object?> Compile(OverloadCandidate candidate, int argumentCount, out Type resultType)
    {
        var parameters = candidate.Parameters;
        var args = Expression.Parameter(typeof(object?[]), "args");
        var context = Expression.Parameter(typeof(TaskContext), "context");
        var fixedCount = candidate.Expanded ? parameters.Length - 1 : parameters.Length;
        var dataArguments = new Expression[parameters.Length];
        for (var i = 0; i < fixedCount; i++)
        {
            var type = parameters[i].ParameterType;
            dataArguments[i] = i < argumentCount ? Argument(args, i, type) : DefaultValue(parameters[i]);
        }

        if (candidate.Expanded)
        {
            var elementType = parameters[^1].ParameterType.GetElementType()!;
            var items = new Expression[argumentCount - fixedCount];
            for (var i = 0; i < items.Length; i++)
            {
                items[i] = Argument(args, fixedCount + i, elementType);
            }

            dataArguments[^1] = Expression.NewArrayInit(elementType, items);
        }

        var body = Finish(Expression.Call(candidate.Method, InjectedParameters.Merge(candidate.AllParameters, dataArguments, context)), out resultType);
        return Expression.Lambda<Func<object?[], TaskContext?, object?>>(body, candidate.Method.Name, [args, context]).Compile();
    }

    /// <summary>The call of <paramref name="method"/> with one boxed argument per parameter, injected ones included.</summary>
    public static Func<object?[], object?> Compile(MethodInfo method, out Type resultType)
    {
        var parameters = method.GetParameters();
        var args = Expression.Parameter(typeof(object?[]), "args");
        var callArguments = new Expression[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            callArguments[i] = Argument(args, i, parameters[i].ParameterType);
        }

        var body = Finish(Expression.Call(method, callArguments), out resultType);
        return Expression.Lambda<Func<object?[], object?>>(body, method.Name, [args]).Compile();
    }

    // Waits for an awaitable result and boxes what the call returns (null for nothing).
    private static Expression Finish(Expression body, out Type resultType)
    {
        resultType = body.Type;
        if (TaskResults.WaiterFor(body.Type, out var awaitedType) is { } waiter)
        {
            body = Expression.Call(waiter, Expression.Convert(body, waiter.GetParameters()[0].ParameterType));
            resultType = awaitedType;
        }

        return body.Type == typeof(void)
            ? Expression.Block(body, Expression.Constant(null, typeof(object)))
            : Expression.Convert(body, typeof(object));
    }

    private static UnaryExpression Argument(ParameterExpression args, int index, Type type) =>
        Expression.Convert(Expression.ArrayIndex(args, Expression.Constant(index)), type);

    private static Expression DefaultValue(ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        var value = parameter.HasDefaultValue ? parameter.DefaultValue : null;
        if (value is null)
        {
            return Expression.Default(type);
        }

        // Metadata keeps some defaults in another type than the parameter's (an int for int?).
        return value.GetType() == type
            ? Expression.Constant(value, type)
            : Expression.Convert(Expression.Constant(value), type);
    }
}
