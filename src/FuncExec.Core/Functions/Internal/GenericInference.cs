using System.Reflection;

namespace FuncExec.Core.Functions.Internal;

/// <summary>
/// Infers a generic method's type arguments from the JSON arguments, for parameters shaped
/// <c>T</c>, <c>T?</c>, <c>T[]</c> or one of the collection interfaces of <c>T</c>.
/// </summary>
/// <remarks>
/// Integers infer <c>int</c>, or <c>long</c> when one is too big; any fraction infers <c>double</c>;
/// strings <c>string</c>; booleans <c>bool</c>; objects, mixed arrays and values seen only as null or
/// empty arrays infer <c>object</c>. A type parameter that no argument mentions is not inferred,
/// as in C#, and the method is not a candidate.
/// </remarks>
internal static class GenericInference
{
    public static MethodInfo? TryConstruct(MethodInfo definition, ParameterInfo[] parameters, IReadOnlyList<ArgShape> args, bool expanded)
    {
        var typeParameters = definition.GetGenericArguments();
        var evidence = new ArgShape?[typeParameters.Length];
        var seen = new bool[typeParameters.Length];
        for (var i = 0; i < args.Count; i++)
        {
            Collect(OverloadCandidate.ParameterTypeAt(parameters, i, expanded), args[i], evidence, seen);
        }

        var inferred = new Type[typeParameters.Length];
        for (var k = 0; k < inferred.Length; k++)
        {
            if (!seen[k])
            {
                return null;
            }

            var type = evidence[k] is { } shape ? TypeOf(shape) : typeof(object);
            if (type is null)
            {
                return null;
            }

            inferred[k] = type;
        }

        try
        {
            return definition.MakeGenericMethod(inferred);
        }
        catch (ArgumentException)
        {
            // The inferred types break a constraint of the method, so it is not a candidate.
            return null;
        }
    }

    /// <summary>The type a value of this shape infers, or null when none fits (a number beyond every type).</summary>
    public static Type? TypeOf(ArgShape shape)
    {
        var type = shape.Kind switch
        {
            ShapeKind.Number => (shape.Fits & NumericTargets.Int32) != 0 ? typeof(int)
                : (shape.Fits & NumericTargets.Int64) != 0 ? typeof(long)
                : (shape.Fits & NumericTargets.Double) != 0 ? typeof(double)
                : null,
            ShapeKind.String => typeof(string),
            ShapeKind.Bool => typeof(bool),
            ShapeKind.Array => TypeOf(shape.Element!)?.MakeArrayType(),
            _ => typeof(object),
        };

        return type is { IsValueType: true } && shape.HasNull ? typeof(Nullable<>).MakeGenericType(type) : type;
    }

    private static void Collect(Type parameterType, ArgShape shape, ArgShape?[] evidence, bool[] seen)
    {
        if (parameterType.IsGenericParameter)
        {
            if (parameterType.DeclaringMethod is not null)
            {
                var index = parameterType.GenericParameterPosition;
                seen[index] = true;
                evidence[index] = evidence[index] is { } known ? ArgShape.Merge(known, shape) : shape;
            }

            return;
        }

        if (!parameterType.ContainsGenericParameters)
        {
            return;
        }

        if (parameterType.IsGenericType && parameterType.GetGenericTypeDefinition() == typeof(Nullable<>))
        {
            if (shape.Kind == ShapeKind.Null)
            {
                MarkSeen(parameterType, seen);
            }
            else
            {
                Collect(parameterType.GetGenericArguments()[0], shape, evidence, seen);
            }

            return;
        }

        if (CollectionTypes.TryGetElementType(parameterType, out var elementType, out _))
        {
            if (shape.Kind == ShapeKind.Array)
            {
                Collect(elementType, shape.Element!, evidence, seen);
            }
            else if (shape.Kind == ShapeKind.Null)
            {
                MarkSeen(elementType, seen);
            }
        }
    }

    private static void MarkSeen(Type type, bool[] seen)
    {
        if (type.IsGenericParameter)
        {
            if (type.DeclaringMethod is not null)
            {
                seen[type.GenericParameterPosition] = true;
            }

            return;
        }

        if (type.HasElementType)
        {
            MarkSeen(type.GetElementType()!, seen);
            return;
        }

        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                MarkSeen(argument, seen);
            }
        }
    }
}
