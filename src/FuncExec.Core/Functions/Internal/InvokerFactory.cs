using System.Linq.Expressions;
using System.Reflection;

namespace FuncExec.Core.Functions.Internal;

/// <summary>
/// Compiles the call of a resolved overload into a delegate that takes the converted arguments
/// boxed in an array, fills omitted optional parameters with their defaults, packs a
/// <c>params</c> tail, waits for an awaitable result and boxes what it returns.
/// </summary>
/// <remarks>
/// A compiled call costs a few nanoseconds where <see cref="MethodBase.Invoke(object?, object?[])"/>
/// costs far more, and it lets the method's own exceptions through unwrapped.
/// </remarks>
internal static class InvokerFactory
{
    public static Func<object?[], object?> Compile(OverloadCandidate candidate, int argumentCount, out Type resultType)
    {
        var parameters = candidate.Parameters;
        var args = Expression.Parameter(typeof(object?[]), "args");
        var fixedCount = candidate.Expanded ? parameters.Length - 1 : parameters.Length;
        var callArguments = new Expression[parameters.Length];
        for (var i = 0; i < fixedCount; i++)
        {
            var type = parameters[i].ParameterType;
            callArguments[i] = i < argumentCount ? Argument(args, i, type) : DefaultValue(parameters[i]);
        }

        if (candidate.Expanded)
        {
            var elementType = parameters[^1].ParameterType.GetElementType()!;
            var items = new Expression[argumentCount - fixedCount];
            for (var i = 0; i < items.Length; i++)
            {
                items[i] = Argument(args, fixedCount + i, elementType);
            }

            callArguments[^1] = Expression.NewArrayInit(elementType, items);
        }

        Expression body = Expression.Call(candidate.Method, callArguments);
        resultType = body.Type;
        if (TaskResults.WaiterFor(body.Type, out var awaitedType) is { } waiter)
        {
            body = Expression.Call(waiter, Expression.Convert(body, waiter.GetParameters()[0].ParameterType));
            resultType = awaitedType;
        }

        body = body.Type == typeof(void)
            ? Expression.Block(body, Expression.Constant(null, typeof(object)))
            : Expression.Convert(body, typeof(object));

        return Expression.Lambda<Func<object?[], object?>>(body, candidate.Method.Name, [args]).Compile();
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
