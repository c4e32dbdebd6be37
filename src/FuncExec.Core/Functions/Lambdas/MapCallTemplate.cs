using System.Buffers;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
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
        _maxFormattedBytes = MaxFormattedBytes(segments, parameters, perItem);
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

    /// <summary>Whether <see cref="Write"/> cannot fail for any item: the item is a value of a type checked once (a value
    /// type or a sealed one) that <see cref="PrimitiveJson{T}"/> or the serializer writes whatever its value, passed as
    /// the parameter's own type, and no argument is computed from it (user code, which may throw).</summary>
    public bool WritesEveryItem => !_checkEachItem && PrimitiveJson<TItem>.Handles && ItemParametersAreItemType();

    private bool ItemParametersAreItemType()
    {
        for (var i = 0; i < _segments.Length; i++)
        {
            if (_perItem[i] is not null || (_segments[i] is null && _parameters[i].ParameterType != typeof(TItem)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes the arguments of <paramref name="count"/> items from <paramref name="start"/> into <paramref name="output"/>
    /// (from its start) as one JSON array of argument arrays: a map chunk's arguments.</summary>
    /// <remarks>Items of <see cref="int"/> and <see cref="long"/> are formatted here, byte for byte as <see cref="Write"/>
    /// inside a writer's array writes them, without the writer's cost per call, which is most of the cost of a tiny item;
    /// others go through <paramref name="writer"/>, which is reset onto <paramref name="output"/>.</remarks>
    /// <exception cref="LambdaNotSupportedException">An item is not data JSON can carry; the message names its type.</exception>
    public void WriteChunk(ArrayBufferWriter<byte> output, Utf8JsonWriter writer, IReadOnlyList<TItem> items, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(items);
        output.ResetWrittenCount();
        if (_maxFormattedBytes > 0)
        {
            WriteIntegers(output, items, start, count);
            return;
        }

        writer.Reset(output);
        writer.WriteStartArray();
        for (var i = start; i < start + count; i++)
        {
            Write(writer, items[i]);
        }

        writer.WriteEndArray();
        writer.Flush();
    }

    // The most bytes one item's argument array takes when its items are integers formatted here; 0 when they are not.
    private readonly int _maxFormattedBytes;

    private static int MaxFormattedBytes(byte[]?[] segments, ParameterInfo[] parameters, Func<TItem, object?>?[] perItem)
    {
        // An argument computed from the item is written by the serializer, as its parameter's type.
        if ((typeof(TItem) != typeof(int) && typeof(TItem) != typeof(long)) || Array.Exists(perItem, static f => f is not null))
        {
            return 0;
        }

        // ",[" and "]", a comma between arguments, and each argument: a constant as captured, or the item (20 digits and a sign).
        var bytes = 3 + segments.Length;
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i] is { } constant)
            {
                bytes += constant.Length;
            }
            else if (parameters[i].ParameterType == typeof(TItem))
            {
                bytes += 21;
            }
            else
            {
                return 0; // The item converted to another parameter type: the serializer writes it as that type.
            }
        }

        return bytes;
    }

    private void WriteIntegers(ArrayBufferWriter<byte> output, IReadOnlyList<TItem> items, int start, int count)
    {
        output.GetSpan(1)[0] = (byte)'[';
        output.Advance(1);
        for (var i = start; i < start + count; i++)
        {
            var span = output.GetSpan(_maxFormattedBytes);
            var n = 0;
            if (i > start)
            {
                span[n++] = (byte)',';
            }

            span[n++] = (byte)'[';
            for (var s = 0; s < _segments.Length; s++)
            {
                if (s > 0)
                {
                    span[n++] = (byte)',';
                }

                if (_segments[s] is { } constant)
                {
                    constant.CopyTo(span[n..]);
                    n += constant.Length;
                }
                else
                {
                    var item = items[i];
                    var written = 0;
                    _ = typeof(TItem) == typeof(int)
                        ? Unsafe.As<TItem, int>(ref item).TryFormat(span[n..], out written, default, CultureInfo.InvariantCulture)
                        : Unsafe.As<TItem, long>(ref item).TryFormat(span[n..], out written, default, CultureInfo.InvariantCulture);
                    n += written;
                }
            }

            span[n++] = (byte)']';
            output.Advance(n);
        }

        output.GetSpan(1)[0] = (byte)']';
        output.Advance(1);
    }

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
