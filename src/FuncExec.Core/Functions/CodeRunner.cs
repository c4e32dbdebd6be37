using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;
using FuncExec.Core.Functions.Internal;

namespace FuncExec.Core.Functions;

/// <summary>
/// Loads compiled code images and hands out their entry points, once per hash, so a worker runs
/// a code task many times for the cost of a delegate call.
/// </summary>
/// <remarks>
/// Images are loaded into one <see cref="AssemblyLoadContext"/> per runner, which falls back to
/// the default context for the framework. They stay loaded for the runner's lifetime. An async
/// entry point is waited for, so every entry point returns the code's result; exceptions thrown by
/// the code reach the caller unwrapped. Instances are safe to use from many threads.
/// </remarks>
public sealed class CodeRunner
{
    private readonly AssemblyLoadContext _context = new("FuncExec.UserCode", isCollectible: false);
    private readonly ConcurrentDictionary<string, Lazy<Func<JsonElement[], object?>>> _loaded = new(StringComparer.Ordinal);

    /// <summary>The entry point of a compiled code.</summary>
    public Func<JsonElement[], object?> Load(CompiledCode code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return Load(code.Hash, () => code.Image, code.TypeName, code.MethodName);
    }

    /// <summary>The entry point of an image received as bytes; loaded only if its hash is not loaded yet.</summary>
    public Func<JsonElement[], object?> Load(string hash, byte[] image)
    {
        ArgumentNullException.ThrowIfNull(hash);
        ArgumentNullException.ThrowIfNull(image);
        return Load(hash, () => image, CodeTemplate.TypeName, CodeTemplate.MethodName);
    }

    /// <summary>The entry point of an image file <c>&lt;dir&gt;/&lt;hash&gt;.dll</c>, as <see cref="CodeCompiler"/> caches it; read only if its hash is not loaded yet.</summary>
    public Func<JsonElement[], object?> LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Load(Path.GetFileNameWithoutExtension(path), () => File.ReadAllBytes(path), CodeTemplate.TypeName, CodeTemplate.MethodName);
    }

    /// <summary>The entry point of an image already loaded under <paramref name="hash"/>.</summary>
    public bool TryGetLoaded(string hash, [NotNullWhen(true)] out Func<JsonElement[], object?>? run)
    {
        ArgumentNullException.ThrowIfNull(hash);
        if (_loaded.TryGetValue(hash, out var entry) && entry.IsValueCreated)
        {
            run = entry.Value;
            return true;
        }

        run = null;
        return false;
    }

    private Func<JsonElement[], object?> Load(string hash, Func<byte[]> image, string typeName, string methodName)
    {
        var entry = _loaded.GetOrAdd(
            hash,
            static (_, state) => new Lazy<Func<JsonElement[], object?>>(() => state.Runner.EntryPoint(state.Image(), state.TypeName, state.MethodName)),
            (Runner: this, Image: image, TypeName: typeName, MethodName: methodName));
        try
        {
            return entry.Value;
        }
        catch
        {
            // A bad image or an unreadable file is not remembered, so a good one can follow.
            _loaded.TryRemove(new KeyValuePair<string, Lazy<Func<JsonElement[], object?>>>(hash, entry));
            throw;
        }
    }

    private Func<JsonElement[], object?> EntryPoint(byte[] image, string typeName, string methodName)
    {
        using var stream = new MemoryStream(image, writable: false);
        var assembly = _context.LoadFromStream(stream);
        var type = assembly.GetType(typeName, throwOnError: false)
            ?? throw new InvalidDataException($"the code image {assembly.GetName().Name} has no type {typeName}");
        var method = type.GetMethod(methodName, BindingFlags.Public | BindingFlags.Static, [typeof(JsonElement[])])
            ?? throw new InvalidDataException($"the code image {assembly.GetName().Name} has no method public static {methodName}(JsonElement[]) on {typeName}");
        if (method.ReturnType == typeof(object))
        {
            return method.CreateDelegate<Func<JsonElement[], object?>>();
        }

        if (method.ReturnType == typeof(Task<object?>))
        {
            var run = method.CreateDelegate<Func<JsonElement[], Task<object?>>>();

            // GetResult rethrows the code's own exception rather than an AggregateException.
            return args => run(args).GetAwaiter().GetResult();
        }

        throw new InvalidDataException($"the code image's {typeName}.{methodName} returns {method.ReturnType}; expected object or Task<object>");
    }
}
