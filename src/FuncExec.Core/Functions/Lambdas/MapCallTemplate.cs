using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FuncExec.Core.Functions.Internal;

namespace FuncExec.Core.Functions.Lambdas;

/// <summary>
/// A map's call captured once (<see cref="LambdaCapture.TryCaptureMap{TItem}"/>): the method, the JSON of the arguments
/// that are the same for every item, the places of the item, and the arguments computed from each item. <see cref="Write"/> writes one item's argument array,
/// byte for byte what capturing the lambda with the item in the parameter's place would write.
/// </summary>
internal sealed class MapCallTemplate<TItem>
{
    private readonly MethodInfo _method;
    private readonly ParameterInfo[] _parameters;
    private readonly byte[]?[] _segments;
    private readonly Func<TItem, object?>?[] _perItem;
    private JsonTypeInfo<TItem>? _itemInfo;

    // A sealed type or a value type is its items' runtime type: checked once, not per item.
    private readonly bool _checkEachItem = !typeof(TItem).IsValueType && !typeof(TItem).IsSealed;

    internal MapCallTemplate(LambdaCall call, MethodInfo method, ParameterInfo[] parameters, byte[]?[] segments, Func<TItem, object?>?[] perItem)
    {
        Call = call;
        _method = method;
        _parameters = parameters;
        _segments = segments;
        _perItem = perItem;
        if (!_checkEachItem)
        {
            var type = Nullable.GetUnderlyingType(typeof(TItem)) ?? typeof(TItem);
            for (var i = 0; i < segments.Length; i++)
            {
                if (segments[i] is null && perItem[i] is null)
                {
                    LambdaCapture.CheckItemIsData(method, parameters[i], type);
                }
            }
        }
    }

    /// <summary>The call, its <see cref="LambdaCall.ArgumentsJson"/> empty: each item brings its own.</summary>
    public LambdaCall Call { get; }

    /// <summary>Writes <paramref name="item"/>'s arguments, one JSON array, as the next value of <paramref name="writer"/>.</summary>
    /// <exception cref="LambdaNotSupportedException">The item is not data JSON can carry; the message names its type.</exception>
    public void Write(Utf8JsonWriter writer, TItem item)
    {
        writer.WriteStartArray();
        for (var i = 0; i < _segments.Length; i++)
        {
            if (_segments[i] is { } constant)
            {
                writer.WriteRawValue(constant, skipInputValidation: true);
            }
            else if (_perItem[i] is { } evaluate)
            {
                LambdaCapture.WriteArgument(writer, _method, _parameters[i], evaluate(item));
            }
            else
            {
                WriteItem(writer, _parameters[i], item);
            }
        }

        writer.WriteEndArray();
    }

    private void WriteItem(Utf8JsonWriter writer, ParameterInfo parameter, TItem item)
    {
        if (_checkEachItem && item is not null)
        {
            LambdaCapture.CheckItemIsData(_method, parameter, item.GetType());
        }

        try
        {
            if (parameter.ParameterType == typeof(TItem))
            {
                if (PrimitiveJson<TItem>.TryWrite(writer, item))
                {
                    return;
                }

                JsonSerializer.Serialize(writer, item, _itemInfo ??= (JsonTypeInfo<TItem>)FunctionJson.Options.GetTypeInfo(typeof(TItem)));
            }
            else
            {
                JsonSerializer.Serialize(writer, item, parameter.ParameterType, FunctionJson.Options);
            }
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or JsonException or ArgumentException)
        {
            throw LambdaCapture.ArgumentNotSerializable(_method, parameter, item?.GetType() ?? parameter.ParameterType, ex);
        }
    }
}
