using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;
using FuncExec.Core.Functions.Internal;

namespace FuncExec.Core.Functions;

/// <summary>
/// Loads compiled code images and hands out their entry points, each image once by its name and
/// each entry point once, so a worker runs a code task many times for the cost of a delegate call.
/// </summary>
/// <remarks>
/// Images are loaded into one <see cref="AssemblyLoadContext"/> per runner, which falls back to
/// the default context for the framework. They stay loaded for the runner's lifetime. An image
/// shared by codes compiled together (the client compiles a submission's codes that way) is loaded once and
/// gives one entry point per type: a context cannot load the same assembly twice. An async
/// entry point is waited for, so every entry point returns the code's result; exceptions thrown by
/// the code reach the caller unwrapped. Instances are safe to use from many threads.
/// </remarks>
internal sealed class CodeRunner
{
    private readonly AssemblyLoadContext _context = new("FuncExec.UserCode", isCollectible: false);
    private readonly ConcurrentDictionary<string, Lazy<Assembly>> _images = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Image, string Type, string Method), Lazy<Func<JsonElement[], object?>>> _entryPoints = new();

    /// <summary>The entry point of a compiled code.</summary>
    public Func<JsonElement[], object?> Load(CompiledCode code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return Load(code.ImageName, () => code.Image, code.TypeName, code.MethodName);
    }

    /// <summary>The entry point of an image of code compiled alone, received as bytes; loaded only if its hash is not loaded yet.</summary>
    public Func<JsonElement[], object?> Load(string hash, byte[] image)
    {
        ArgumentNullException.ThrowIfNull(hash);
        ArgumentNullException.ThrowIfNull(image);
        return Load(hash, () => image, CodeImage.TypeName, CodeImage.MethodName);
    }

    /// <summary>The entry point of an image file of code compiled alone, <c>&lt;dir&gt;/&lt;hash&gt;.dll</c> as the client's compiler caches it; read only if its hash is not loaded yet.</summary>
    public Func<JsonElement[], object?> LoadFile(string path) => LoadFile(path, CodeImage.TypeName, CodeImage.MethodName);

    /// <summary>
    /// The entry point <paramref name="typeName"/>.<paramref name="methodName"/> of the image file
    /// <c>&lt;dir&gt;/&lt;image name&gt;.dll</c> (<see cref="CompiledCode.ImageName"/>); the file is read only if that image is not loaded yet.
    /// </summary>
    public Func<JsonElement[], object?> LoadFile(string path, string typeName, string methodName)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Load(Path.GetFileNameWithoutExtension(path), () => File.ReadAllBytes(path), typeName, methodName);
    }

    /// <summary>The entry point of an image of code compiled alone, already loaded under <paramref name="hash"/>.</summary>
    public bool TryGetLoaded(string hash, [NotNullWhen(true)] out Func<JsonElement[], object?>? run)
    {
        ArgumentNullException.ThrowIfNull(hash);
        if (_entryPoints.TryGetValue((hash, CodeImage.TypeName, CodeImage.MethodName), out var entry) && entry.IsValueCreated)
        {
            run = entry.Value;
            return true;
        }

        run = null;
        return false;
    }

    private Func<JsonElement[], object?> Load(string imageName, Func<byte[]> image, string typeName, string methodName)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        ArgumentNullException.ThrowIfNull(methodName);
        var key = (imageName, typeName, methodName);
        var entry = _entryPoints.GetOrAdd(
            key,
            static (key, state) => new Lazy<Func<JsonElement[], object?>>(() => EntryPoint(state.Runner.LoadImage(key.Image, state.Image), key.Type, key.Method)),
            (Runner: this, Image: image));
        return Value(_entryPoints, key, entry);
    }

    private Assembly LoadImage(string imageName, Func<byte[]> image)
    {
        var entry = _images.GetOrAdd(
            imageName,
            static (_, state) => new Lazy<Assembly>(() =>
            {
                using var stream = new MemoryStream(state.Image(), writable: false);
                return state.Context.LoadFromStream(stream);
            }),
            (Context: _context, Image: image));
        return Value(_images, imageName, entry);
    }

    private static T Value<TKey, T>(ConcurrentDictionary<TKey, Lazy<T>> cache, TKey key, Lazy<T> entry)
        where TKey : notnull
    {
        try
        {
            return entry.Value;
        }
        catch
        {
            // A bad image, an unreadable file or a missing type is not remembered, so a good one can follow.
            cache.TryRemove(new KeyValuePair<TKey, Lazy<T>>(key, entry));
            throw;
        }
    }

    private static Func<JsonElement[], object?> EntryPoint(Assembly assembly, string typeName, string methodName)
    {
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
