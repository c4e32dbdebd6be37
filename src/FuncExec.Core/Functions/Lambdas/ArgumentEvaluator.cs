using System.Linq.Expressions;
using System.Reflection;

namespace FuncExec.Core.Functions.Lambdas;

/// <summary>Evaluates an argument expression of a captured lambda on the client.</summary>
/// <remarks>
/// Most arguments are constants or captured variables, which the compiler writes as field reads on a
/// closure constant (<c>value(Closure).x</c>, or <c>value(Closure).outer.x</c> for nested scopes).
/// Those are read by reflection; everything else is interpreted, not compiled: it runs once, and compiling
/// costs a dynamic method and its JIT (about 2.3× the whole capture's time; <c>MapCaptureBenchmarks</c>).
/// Nothing is cached by expression: every call builds new closures.
/// Only the outermost member may be a property: a getter must not run before the read falls back to
/// compiling (on a null target), which would run it twice.
/// </remarks>
internal static class ArgumentEvaluator
{
    // Deep enough for closures nested in loops and local functions; a longer chain is compiled.
    private const int MaxMemberDepth = 8;

    /// <summary>The argument's value. Exceptions thrown while evaluating it reach the caller unwrapped.</summary>
    public static object? Evaluate(Expression argument)
    {
        if (argument is ConstantExpression constant)
        {
            return constant.Value;
        }

        if (TryReadMember(argument, 0, allowProperty: true, out var value))
        {
            return value;
        }

        var lambda = Expression.Lambda<Func<object?>>(Expression.Convert(argument, typeof(object)));
        return lambda.Compile(preferInterpretation: true)();
    }

    private static bool TryReadMember(Expression expression, int depth, bool allowProperty, out object? value)
    {
        value = null;
        if (expression is ConstantExpression constant)
        {
            value = constant.Value;
            return true;
        }

        if (depth > MaxMemberDepth || expression is not MemberExpression member)
        {
            return false;
        }

        if (member.Member is not FieldInfo && !allowProperty)
        {
            return false;
        }

        object? target = null;
        if (member.Expression is not null && !TryReadMember(member.Expression, depth + 1, allowProperty: false, out target))
        {
            return false;
        }

        // An instance member of null is left to the compiled path, so it throws as the lambda would.
        if (member.Expression is not null && target is null)
        {
            return false;
        }

        switch (member.Member)
        {
            case FieldInfo field:
                value = field.GetValue(target);
                return true;
            case PropertyInfo property when allowProperty && property.GetIndexParameters().Length == 0 && property.GetMethod is not null:
                value = property.GetValue(target, BindingFlags.DoNotWrapExceptions, binder: null, index: null, culture: null);
                return true;
            default:
                return false;
        }
    }
}
