using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FuncExec.Core.Functions;
using FuncExec.Core.Functions.Internal;

namespace FuncExec.Client.Internal;

/// <summary>
/// Reads a map chunk's result, a JSON array with one result per item of the chunk, straight into its place in the
/// map's results.
/// </summary>
/// <remarks>
/// The result came from a node, so it is checked before it is trusted: it must be a JSON array of exactly as many
/// results as the chunk had items, each of the map's result type, within the size a worker holds any result to. A
/// result that is not fails the map with a <see cref="TaskFailedException"/> naming the chunk and the worker (error
/// type <see cref="InvalidType"/>); nothing of it is kept, and other tasks are not touched.
/// </remarks>
internal static class MapResults
{
    /// <summary>The error type of a chunk whose result is not its items' results.</summary>
    public const string InvalidType = "FuncExec.MapChunkResultInvalid";

    /// <summary>The largest chunk result read: a worker fails any result larger than this (16 MiB of JSON) itself.</summary>
    public const int MaxResultBytes = 16 * 1024 * 1024;

    /// <summary>Waits for the chunk <paramref name="handle"/> and reads its <paramref name="count"/> results into
    /// <paramref name="results"/> from <paramref name="start"/>.</summary>
    /// <exception cref="TaskFailedException">The chunk failed, or its result is not <paramref name="count"/> results.</exception>
    public static async Task ReadAsync<T>(RemoteTask<T[]> handle, T[] results, int start, int count)
    {
        var report = await handle.Completion.ConfigureAwait(false);
        if (report.State != TaskState.Succeeded)
        {
            throw new TaskFailedException(report);
        }

        Read(report, results, start, count);
    }

    /// <summary>Reads the chunk's <paramref name="count"/> results from <paramref name="report"/> into <paramref name="results"/>.</summary>
    /// <exception cref="TaskFailedException">The result is not <paramref name="count"/> results of type <typeparamref name="T"/>.</exception>
    public static void Read<T>(TaskReport report, T[] results, int start, int count)
    {
        // The bytes the worker wrote, as they came: never decoded to text.
        var json = report.ResultUtf8.Span;
        if (json.IsEmpty)
        {
            throw Invalid(report, count, "no result");
        }

        if (json.Length > MaxResultBytes)
        {
            throw Invalid(report, count, string.Create(CultureInfo.InvariantCulture, $"a result of {json.Length:N0} bytes, over the {MaxResultBytes:N0} a worker holds any result to"));
        }

        // Ints in the form a worker writes them take a scan; anything else, or a scan that fails, the JSON reader.
        if (typeof(T) == typeof(int) && Int32Chunks.TryReadResults(json, ((int[])(object)results).AsSpan(start, count)))
        {
            return;
        }

        var whole = false;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw Invalid(report, count, "a result that is not a JSON array");
            }

            var info = (JsonTypeInfo<T>)FuncExecJson.Options.GetTypeInfo(typeof(T));
            var read = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (read == count)
                {
                    throw Invalid(report, count, "more results than that");
                }

                if (!PrimitiveJson<T>.TryRead(ref reader, out results[start + read]))
                {
                    results[start + read] = JsonSerializer.Deserialize(ref reader, info)!;
                }

                read++;
            }

            if (read != count)
            {
                throw Invalid(report, count, string.Create(CultureInfo.InvariantCulture, $"{read:N0} results"));
            }

            if (reader.Read())
            {
                throw Invalid(report, count, "more JSON after its array of results");
            }

            whole = true;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            // Truncated or malformed JSON, or a value that does not read as T.
            throw Invalid(report, count, string.Create(CultureInfo.InvariantCulture, $"a result that does not read as {count:N0} values of {typeof(T).Name}: {ex.Message}"));
        }
        finally
        {
            if (!whole)
            {
                // Nothing read from a result that is not whole is kept.
                Array.Clear(results, start, count);
            }
        }
    }

    private static TaskFailedException Invalid(TaskReport report, int count, string what) =>
        new(report with
        {
            State = TaskState.Failed,
            ResultJson = null,
            Error = new RemoteError(
                InvalidType,
                string.Create(CultureInfo.InvariantCulture, $"map chunk '{report.Name}' (task {report.Id}) of {count:N0} items returned {what}, from worker {report.Worker ?? "unknown"}; ")
                    + "the node that ran it may run another version of FuncExec, or not be what it claims",
                Retryable: false),
        });
}
