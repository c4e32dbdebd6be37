using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FuncExec.Core.Functions.Internal;

namespace FuncExec.Core.Functions.Lambdas;

/// <summary>
/// Runs a map chunk of a method of one data parameter whose result's type is its runtime type (a value type or a
/// sealed class): each item read as the parameter's type, the method called through a typed delegate and the result
/// written as its type into one array, with no boxing and no buffer per item.
/// </summary>
/// <remarks>
/// The chunk's JSON, its items' values and its results are exactly those of calling <see cref="BoundLambda.Invoke"/>
/// and <see cref="BoundLambda.SerializeResult"/> per item, and so are the errors: the chunk is checked to be JSON
/// before any item runs, and an item that is not an array of one argument goes through <see cref="BoundLambda.Invoke"/>,
/// which says what is wrong with it.
/// </remarks>
internal abstract class MapChunkRunner
{
    /// <summary>A runner for <paramref name="bound"/>, or null when its method is not of that shape.</summary>
    public static MapChunkRunner? TryCreate(BoundLambda bound)
    {
        var method = bound.Method;
        var parameters = method.GetParameters();
        if (parameters.Length != 1 || bound.UsesContext || method.ReturnType != bound.ReturnType || !IsPlain(parameters[0].ParameterType))
        {
            return null;
        }

        var result = method.ReturnType;
        if (result == typeof(void) || !IsPlain(result) || !(result.IsValueType || result.IsSealed))
        {
            return null;
        }

        var type = typeof(TypedMapChunkRunner<,>).MakeGenericType(parameters[0].ParameterType, result);
        try
        {
            return (MapChunkRunner)Activator.CreateInstance(type, bound)!;
        }
        catch (System.Reflection.TargetInvocationException ex) when (ex.InnerException is ArgumentException)
        {
            // A method no delegate binds to (a varargs one): the general path calls it, as before.
            return null;
        }
    }

    /// <summary>Runs every item of <paramref name="itemsJson"/>, a JSON array of argument arrays; returns the JSON array of their results.</summary>
    /// <param name="itemsJson">The chunk's arguments.</param>
    /// <param name="called">Counts the items called, the one that threw among them.</param>
    public abstract byte[] Run(ReadOnlySpan<byte> itemsJson, ref int called);

    // A type a generic argument may be, and a delegate may take or return.
    private static bool IsPlain(Type type) => !type.IsByRef && !type.IsPointer && !type.IsByRefLike && !type.IsFunctionPointer && !type.ContainsGenericParameters;
}

/// <summary>The runner for a method <c>TResult M(TArg)</c>.</summary>
internal sealed class TypedMapChunkRunner<TArg, TResult> : MapChunkRunner
{
    private readonly BoundLambda _bound;
    private readonly Func<TArg, TResult> _call;
    private readonly JsonSerializerOptions _argumentOptions;
    private readonly JsonSerializerOptions _resultOptions;
    private readonly JsonWriterOptions _writerOptions;
    private JsonTypeInfo<TArg>? _argumentInfo;
    private JsonTypeInfo<TResult>? _resultInfo;

    public TypedMapChunkRunner(BoundLambda bound)
    {
        _bound = bound;
        _call = bound.Method.CreateDelegate<Func<TArg, TResult>>();
        _argumentOptions = FunctionJson.OptionsFor(typeof(TArg));
        _resultOptions = FunctionJson.OptionsFor(typeof(TResult));

        // The writer the serializer makes for itself with these options (it skips validation too), so each result's bytes
        // are those of SerializeResult.
        _writerOptions = new JsonWriterOptions
        {
            Encoder = _resultOptions.Encoder,
            Indented = _resultOptions.WriteIndented,
            MaxDepth = _resultOptions.MaxDepth,
            SkipValidation = true,
        };
    }

    public override byte[] Run(ReadOnlySpan<byte> itemsJson, ref int called)
    {
        // The commonest map, int to int, in the form FuncExec writes it: a scan instead of a JSON reader, the same values.
        if (typeof(TArg) == typeof(int) && typeof(TResult) == typeof(int) && Int32Chunks.TryReadArguments(itemsJson, out var numbers))
        {
            var call = (Func<int, int>)(object)_call;
            var results = new int[numbers.Length];
            for (var i = 0; i < numbers.Length; i++)
            {
                called++;
                results[i] = call(numbers[i]);
            }

            return Int32Chunks.WriteResults(results);
        }

        // Every item is read first, in one pass that also makes sure the whole chunk is JSON before any item runs, as a
        // parse of the whole document did. An item that is not one argument of the parameter's type is kept as its bytes,
        // for the general path to read (and refuse, in the words it always did) when its turn comes.
        var reader = new Utf8JsonReader(itemsJson);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            throw new InvalidDataException("a map chunk's arguments must be an array of argument arrays");
        }

        var arguments = new List<TArg>();
        List<(int Index, int Start, int End)>? general = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var item = reader;
            if (TryReadArguments(ref reader, out var argument))
            {
                arguments.Add(argument);
                continue;
            }

            reader = item;
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            (general ??= []).Add((arguments.Count, start, (int)reader.BytesConsumed));
            arguments.Add(default!);
        }

        // Anything after the array is not JSON the reader accepts: it throws here, still before any item runs.
        _ = reader.Read();

        var output = new ArrayBufferWriter<byte>(Math.Max(256, itemsJson.Length));
        using (var writer = new Utf8JsonWriter(output, _writerOptions))
        {
            writer.WriteStartArray();
            var next = 0;
            for (var i = 0; i < arguments.Count; i++)
            {
                called++;
                if (general is not null && next < general.Count && general[next].Index == i)
                {
                    var (_, start, end) = general[next++];
                    var value = _bound.Invoke(itemsJson[start..end], null);
                    writer.WriteRawValue(_bound.SerializeResult(value), skipInputValidation: true);
                }
                else
                {
                    WriteResult(writer, _call(arguments[i]));
                }
            }

            writer.WriteEndArray();
        }

        return output.WrittenSpan.ToArray();
    }

    // An array of exactly one argument that reads as TArg; the reader ends on the array's end.
    private bool TryReadArguments(ref Utf8JsonReader reader, out TArg argument)
    {
        argument = default!;
        if (reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType == JsonTokenType.EndArray)
        {
            return false;
        }

        if (!PrimitiveJson<TArg>.TryRead(ref reader, out argument))
        {
            try
            {
                argument = JsonSerializer.Deserialize(ref reader, _argumentInfo ??= (JsonTypeInfo<TArg>)_argumentOptions.GetTypeInfo(typeof(TArg)))!;
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
            {
                return false;
            }
        }

        return reader.Read() && reader.TokenType == JsonTokenType.EndArray;
    }

    private void WriteResult(Utf8JsonWriter writer, TResult value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        if (PrimitiveJson<TResult>.TryWrite(writer, value))
        {
            return;
        }

        try
        {
            JsonSerializer.Serialize(writer, value, _resultInfo ??= (JsonTypeInfo<TResult>)_resultOptions.GetTypeInfo(typeof(TResult)));
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or JsonException or ArgumentException)
        {
            throw FunctionJson.NotSerializable(typeof(TResult), ex);
        }
    }
}
