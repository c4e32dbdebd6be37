using System.Globalization;
using System.Reflection;
using System.Text;

namespace FuncExec.Core.Functions.Internal;

/// <summary>Writes types and method signatures in C# syntax for messages: <c>System.Math.Min(int, int)</c>.</summary>
internal static class TypeNames
{
    /// <summary>The type's full name as C# writes it: namespace, nested types joined by dots, no arity suffix.</summary>
    public static string FullName(Type type)
    {
        var builder = new StringBuilder();
        if (type.DeclaringType is { } outer && !type.IsGenericParameter)
        {
            builder.Append(FullName(outer)).Append('.');
        }
        else if (!string.IsNullOrEmpty(type.Namespace))
        {
            builder.Append(type.Namespace).Append('.');
        }

        builder.Append(StripArity(type.Name));
        return builder.ToString();
    }

    /// <summary>The type as C# writes it in a signature: keywords for built-in types, <c>T?</c>, <c>T[]</c>, <c>List&lt;int&gt;</c>.</summary>
    public static string Format(Type type)
    {
        var builder = new StringBuilder();
        Append(builder, type);
        return builder.ToString();
    }

    /// <summary>
    /// The method as C# would declare its call: <c>System.Math.Round(double, int)</c>; generic
    /// arguments after the name, <c>params</c> and <c>ref</c>/<c>out</c>/<c>in</c> before a
    /// parameter, an optional parameter's default after it (<c>int = 0</c>).
    /// </summary>
    public static string Signature(Type type, MethodInfo method)
    {
        var builder = new StringBuilder();
        builder.Append(FullName(type)).Append('.').Append(method.Name);
        if (method.IsGenericMethod)
        {
            builder.Append('<');
            var arguments = method.GetGenericArguments();
            for (var i = 0; i < arguments.Length; i++)
            {
                if (i > 0)
                {
                    builder.Append(", ");
                }

                Append(builder, arguments[i]);
            }

            builder.Append('>');
        }

        builder.Append('(');
        var parameters = method.GetParameters();
        for (var i = 0; i < parameters.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            AppendParameter(builder, parameters[i], isLast: i == parameters.Length - 1);
        }

        return builder.Append(')').ToString();
    }

    private static void AppendParameter(StringBuilder builder, ParameterInfo parameter, bool isLast)
    {
        var type = parameter.ParameterType;
        if (type.IsByRef)
        {
            builder.Append(parameter.IsOut ? "out " : parameter.IsIn ? "in " : "ref ");
            type = type.GetElementType()!;
        }
        else if (isLast && (parameter.IsDefined(typeof(ParamArrayAttribute), inherit: false)
            || parameter.IsDefined(typeof(System.Runtime.CompilerServices.ParamCollectionAttribute), inherit: false)))
        {
            builder.Append("params ");
        }

        Append(builder, type);
        if (parameter.IsOptional)
        {
            builder.Append(" = ").Append(FormatDefault(parameter, type));
        }
    }

    private static string FormatDefault(ParameterInfo parameter, Type type)
    {
        var value = parameter.HasDefaultValue ? parameter.DefaultValue : null;
        return value switch
        {
            null => type.IsValueType && Nullable.GetUnderlyingType(type) is null ? "default" : "null",
            string text => "\"" + text + "\"",
            bool flag => flag ? "true" : "false",
            char c => "'" + c + "'",
            Enum member => Enum.IsDefined(member.GetType(), member)
                ? Format(member.GetType()) + "." + member
                : "(" + Format(member.GetType()) + ")" + Convert.ToInt64(member, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "default",
        };
    }

    private static void Append(StringBuilder builder, Type type)
    {
        if (Keyword(type) is { } keyword)
        {
            builder.Append(keyword);
            return;
        }

        if (type.IsByRef || type.IsPointer)
        {
            Append(builder, type.GetElementType()!);
            builder.Append(type.IsPointer ? "*" : string.Empty);
            return;
        }

        if (type.IsArray)
        {
            Append(builder, type.GetElementType()!);
            builder.Append('[').Append(',', type.GetArrayRank() - 1).Append(']');
            return;
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            Append(builder, underlying);
            builder.Append('?');
            return;
        }

        if (type.IsGenericParameter)
        {
            builder.Append(type.Name);
            return;
        }

        if (type.DeclaringType is { } outer)
        {
            // Nested types print as Outer.Inner; an outer generic type's arguments are not repeated.
            builder.Append(StripArity(outer.Name)).Append('.');
        }

        var arguments = type.IsGenericType ? type.GetGenericArguments() : [];
        if (type.IsGenericType && type.Name.StartsWith("ValueTuple`", StringComparison.Ordinal) && arguments.Length < 8)
        {
            builder.Append('(');
            AppendList(builder, arguments);
            builder.Append(')');
            return;
        }

        builder.Append(StripArity(type.Name));
        if (arguments.Length > 0)
        {
            builder.Append('<');
            AppendList(builder, arguments);
            builder.Append('>');
        }
    }

    private static void AppendList(StringBuilder builder, Type[] types)
    {
        for (var i = 0; i < types.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            Append(builder, types[i]);
        }
    }

    private static string? Keyword(Type type) => Type.GetTypeCode(type) switch
    {
        _ when type.IsEnum => null,
        TypeCode.Boolean => "bool",
        TypeCode.Byte => "byte",
        TypeCode.SByte => "sbyte",
        TypeCode.Char => "char",
        TypeCode.Decimal => "decimal",
        TypeCode.Double => "double",
        TypeCode.Single => "float",
        TypeCode.Int16 => "short",
        TypeCode.UInt16 => "ushort",
        TypeCode.Int32 => "int",
        TypeCode.UInt32 => "uint",
        TypeCode.Int64 => "long",
        TypeCode.UInt64 => "ulong",
        TypeCode.String => "string",
        _ => type == typeof(object) ? "object"
            : type == typeof(void) ? "void"
            : type == typeof(nint) ? "nint"
            : type == typeof(nuint) ? "nuint"
            : null,
    };

    private static string StripArity(string name)
    {
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..tick];
    }
}
