using System.Linq.Expressions;
using System.Reflection;

namespace FuncExec.Core.Functions.Internal;

/// <summary>
/// Parameters the worker fills in rather than the task's arguments: a <see cref="TaskContext"/> gets the
/// running task's context, a <see cref="CancellationToken"/> its cancellation token.
/// </summary>
internal static class InjectedParameters
{
    private static readonly PropertyInfo TokenProperty = typeof(TaskContext).GetProperty(nameof(TaskContext.CancellationToken))!;

    public static bool IsInjected(Type type) => type == typeof(TaskContext) || type == typeof(CancellationToken);

    public static bool Any(ParameterInfo[] parameters)
    {
        foreach (var parameter in parameters)
        {
            if (IsInjected(parameter.ParameterType))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The parameters the arguments bind to: <paramref name="parameters"/> itself when none is injected.</summary>
    public static ParameterInfo[] DataParameters(ParameterInfo[] parameters) =>
        Any(parameters) ? Array.FindAll(parameters, static p => !IsInjected(p.ParameterType)) : parameters;

    /// <summary>The value an injected parameter of <paramref name="type"/> gets from <paramref name="context"/>, which may be null.</summary>
    public static object? ValueFor(Type type, TaskContext? context) =>
        type == typeof(TaskContext) ? context : context?.CancellationToken ?? CancellationToken.None;

    /// <summary>The same as an expression over a <see cref="TaskContext"/> parameter.</summary>
    public static Expression ExpressionFor(Type type, ParameterExpression context) =>
        type == typeof(TaskContext)
            ? context
            : Expression.Condition(
                Expression.Equal(context, Expression.Constant(null, typeof(TaskContext))),
                Expression.Default(typeof(CancellationToken)),
                Expression.Property(context, TokenProperty));

    /// <summary>
    /// The arguments of a call to a method with <paramref name="all"/> parameters: the injected ones from
    /// <paramref name="context"/>, the others from <paramref name="data"/> in order.
    /// </summary>
    public static Expression[] Merge(ParameterInfo[] all, Expression[] data, ParameterExpression context)
    {
        if (all.Length == data.Length)
        {
            return data;
        }

        var merged = new Expression[all.Length];
        var next = 0;
        for (var i = 0; i < all.Length; i++)
        {
            merged[i] = IsInjected(all[i].ParameterType) ? ExpressionFor(all[i].ParameterType, context) : data[next++];
        }

        return merged;
    }
}
