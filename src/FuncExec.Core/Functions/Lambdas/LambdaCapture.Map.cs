using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using FuncExec.Core.Functions.Internal;

namespace FuncExec.Core.Functions.Lambdas;

// A map's lambda, x => Jobs.F(x, n), captured once for all its items instead of once per item.
internal static partial class LambdaCapture
{
    /// <summary>
    /// Captures a map's call once for all its items. An argument that is the lambda's parameter as it is, is written
    /// straight from each item; a constant or a captured variable (a chain of field reads) is evaluated once; any
    /// other argument (the item inside an expression, a property, a call) is compiled once into a function of the item
    /// and evaluated for each item.
    /// </summary>
    /// <param name="expression">A lambda of one parameter, the item, whose body is a call to a public static method.</param>
    /// <returns>
    /// The call, whose arguments per item <see cref="MapCallTemplate{TItem}.Write"/> writes as <see cref="Capture(LambdaExpression)"/>
    /// would write them with the item in the parameter's place; or null when the lambda's body is not a call that can be
    /// sent: then each item is captured on its own, which refuses it with the usual message.
    /// </returns>
    /// <remarks>The other arguments are evaluated once, here, rather than once per item: they are constants or fields,
    /// so the values are the same, unless the items' enumeration itself writes those fields.</remarks>
    /// <exception cref="LambdaNotSupportedException">An argument is not data JSON can carry (as the first item's capture would say).</exception>
    public static MapCallTemplate<TItem>? TryCaptureMap<TItem>(LambdaExpression expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (expression.Parameters.Count != 1 || expression.Parameters[0].Type != typeof(TItem))
        {
            return null;
        }

        var item = expression.Parameters[0];
        var body = expression.Body;
        while (body is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert)
        {
            body = convert.Operand;
        }

        if (body is not MethodCallExpression call)
        {
            return null;
        }

        var method = call.Method;
        DescribedMethod described;
        try
        {
            described = Describe(method);
        }
        catch (LambdaNotSupportedException)
        {
            return null;
        }

        // Check every argument before evaluating any, in the order a single capture checks them.
        var parameters = described.Parameters;
        var isItem = new bool[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            if (InjectedParameters.IsInjected(parameters[i].ParameterType))
            {
                continue;
            }

            isItem[i] = IsItem(call.Arguments[i], item);
            CheckIsData(method, parameters[i], parameters[i].ParameterType);
        }

        var segments = new byte[]?[parameters.Length];
        var perItem = new Func<TItem, object?>?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            if (InjectedParameters.IsInjected(parameters[i].ParameterType))
            {
                // The worker passes the running task's context or token here, whatever the lambda says.
                segments[i] = "null"u8.ToArray();
            }
            else if (!isItem[i] && ParameterUseFinder.Find(call.Arguments[i], expression.Parameters) is null && IsConstantOrField(call.Arguments[i]))
            {
                var value = ArgumentEvaluator.Evaluate(call.Arguments[i]);
                segments[i] = SerializeArgument(method, parameters[i], value);
            }
            else if (!isItem[i])
            {
                // The item inside an expression (x * 2, x.Name), or a value to read again for each item (a property,
                // a call): compiled once into a function of the item, then evaluated per item as a capture per item
                // evaluated it, instead of compiling the expression again for every item.
                perItem[i] = Expression.Lambda<Func<TItem, object?>>(Expression.Convert(call.Arguments[i], typeof(object)), item).Compile();
            }
        }

        return new MapCallTemplate<TItem>(described.Call, method, parameters, segments, perItem);
    }

    /// <summary>Throws as a single capture would when an item's runtime type is not data.</summary>
    internal static void CheckItemIsData(MethodInfo method, ParameterInfo parameter, Type type) => CheckIsData(method, parameter, type);

    /// <summary>The exception a single capture throws when an argument does not serialize.</summary>
    internal static LambdaNotSupportedException ArgumentNotSerializable(MethodInfo method, ParameterInfo parameter, Type type, Exception ex) =>
        LambdaErrors.NotSerializable(method, parameter, type, ex.Message, ex);

    private static byte[] SerializeArgument(MethodInfo method, ParameterInfo parameter, object? value)
    {
        // A writer with default settings, as a single capture's, so the bytes are the same.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteArgument(writer, method, parameter, value);
        }

        return buffer.WrittenSpan.ToArray();
    }

    // The item itself, or the item converted to a type it already is (boxed, or seen as a base type or interface):
    // its JSON as that type is what the single capture writes. A conversion that changes the value (int to long,
    // a user-defined operator) is left to the single capture.
    private static bool IsItem(Expression argument, ParameterExpression item)
    {
        while (argument is UnaryExpression { NodeType: ExpressionType.Convert, Method: null } convert && convert.Type.IsAssignableFrom(convert.Operand.Type))
        {
            argument = convert.Operand;
        }

        return argument == item;
    }

    // Constants and captured variables read the same for every item; anything else (a property, a call, arithmetic)
    // is evaluated once per item, as before.
    private static bool IsConstantOrField(Expression argument)
    {
        while (true)
        {
            switch (argument)
            {
                case ConstantExpression:
                    return true;
                case MemberExpression { Member: FieldInfo, Expression: null }:
                    return true;
                case MemberExpression { Member: FieldInfo, Expression: { } target }:
                    argument = target;
                    break;
                default:
                    return false;
            }
        }
    }
}
