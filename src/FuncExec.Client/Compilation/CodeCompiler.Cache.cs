using System.Buffers;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using FuncExec.Core.Functions;
using FuncExec.Core.Functions.Internal;

namespace FuncExec.Client.Compilation;

/// <summary>The disk cache: images, and pointers from a code to the image it shares with others.</summary>
/// <remarks>
/// A pointer <c>&lt;hash&gt;.ref</c> holds two lines, the shared image's name and the code's type in it.
/// Nothing read is trusted: an image must be the assembly its name says and define the code's type,
/// or the code is compiled again and the files replaced.
/// </remarks>
internal sealed partial class CodeCompiler
{
    private const string BatchPrefix = "batch-";
    private const string PointerExtension = ".ref";

    private static readonly SearchValues<char> LowerHexDigits = SearchValues.Create("0123456789abcdef");

    /// <summary>The path of the pointer from the code of <paramref name="hash"/> to the image it shares: <c>&lt;dir&gt;/&lt;hash&gt;.ref</c>.</summary>
    internal static string GetPointerPath(string cacheDirectory, string hash) => Path.Combine(cacheDirectory, hash + PointerExtension);

    private CompiledCode Store(string hash, byte[] image)
    {
        WriteCached(hash + ".dll", image);
        return new CompiledCode(hash, image, CodeImage.TypeName, CodeImage.MethodName, hash);
    }

    /// <summary>The code of <paramref name="hash"/> from the disk cache, compiled alone or together with others; null when it is not there intact.</summary>
    /// <param name="hash">The code's hash.</param>
    /// <param name="images">Shared images read so far (null or invalid ones too), so that the codes of one image read it once; null to read afresh.</param>
    private CompiledCode? ReadCached(string hash, Dictionary<string, SharedImage?>? images)
    {
        if (CacheDirectory is null)
        {
            return null;
        }

        if (ReadFile(GetImagePath(CacheDirectory, hash)) is { } image && TypesOf(image, hash) is { } types && types.Contains(CodeImage.TypeName))
        {
            return new CompiledCode(hash, image, CodeImage.TypeName, CodeImage.MethodName, hash);
        }

        if (ReadFile(GetPointerPath(CacheDirectory, hash)) is not { } pointer
            || Encoding.UTF8.GetString(pointer).Split('\n') is not [var imageName, var typeName, ""]
            || typeName != CodeImage.BatchTypeName(hash)
            || !IsBatchImageName(imageName))
        {
            return null;
        }

        SharedImage? shared;
        if (images is null || !images.TryGetValue(imageName, out shared))
        {
            shared = ReadFile(GetImagePath(CacheDirectory, imageName)) is { } bytes && TypesOf(bytes, imageName) is { } defined
                ? new SharedImage(bytes, defined)
                : null;
            images?.Add(imageName, shared);
        }

        return shared is not null && shared.Types.Contains(typeName)
            ? new CompiledCode(hash, shared.Image, typeName, CodeImage.MethodName, imageName)
            : null;
    }

    /// <summary>Writes an image shared by <paramref name="hashes"/>, then the pointer of each to it.</summary>
    private void StoreShared(string imageName, byte[] image, IEnumerable<string> hashes)
    {
        WriteCached(imageName + ".dll", image);
        foreach (var hash in hashes)
        {
            WriteCached(hash + PointerExtension, Encoding.UTF8.GetBytes($"{imageName}\n{CodeImage.BatchTypeName(hash)}\n"));
        }
    }

    private static byte[]? ReadFile(string path)
    {
        try
        {
            // A miss is the common case when compiling new code: no exception for it.
            return File.Exists(path) ? File.ReadAllBytes(path) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone since, or unreadable: compile it.
            return null;
        }
    }

    private void WriteCached(string fileName, byte[] content)
    {
        if (CacheDirectory is null)
        {
            return;
        }

        // Written aside and renamed into place, so a process reading the cache never sees half a file.
        var path = Path.Combine(CacheDirectory, fileName);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(CacheDirectory);
            File.WriteAllBytes(temporary, content);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The disk cache only saves work; without it every process compiles for itself.
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Nothing more to do about a temporary file that cannot be removed.
            }
        }
    }

    /// <summary>The full names of the types in <paramref name="image"/> when it is the assembly of <paramref name="imageName"/>; else null.</summary>
    private static HashSet<string>? TypesOf(byte[] image, string imageName)
    {
        try
        {
            using var reader = new PEReader(new MemoryStream(image, writable: false));
            if (!reader.HasMetadata)
            {
                return null;
            }

            var metadata = reader.GetMetadataReader();
            if (!metadata.IsAssembly
                || !string.Equals(metadata.GetString(metadata.GetAssemblyDefinition().Name), CodeImage.AssemblyName(imageName), StringComparison.Ordinal))
            {
                return null;
            }

            var types = new HashSet<string>(StringComparer.Ordinal);
            foreach (var handle in metadata.TypeDefinitions)
            {
                var type = metadata.GetTypeDefinition(handle);
                types.Add($"{metadata.GetString(type.Namespace)}.{metadata.GetString(type.Name)}");
            }

            return types;
        }
        catch (Exception ex) when (ex is BadImageFormatException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The name of the image shared by codes compiled together, from their hashes in the order they were compiled.</summary>
    private static string SharedImageName(IEnumerable<string> hashes) => BatchPrefix + ComputeHash(string.Join('\n', hashes));

    /// <summary>Whether a name read from a pointer is one <see cref="SharedImageName"/> gives, so it names a file in the cache directory and nothing else.</summary>
    private static bool IsBatchImageName(string name) =>
        name.Length == BatchPrefix.Length + 64
        && name.StartsWith(BatchPrefix, StringComparison.Ordinal)
        && !name.AsSpan(BatchPrefix.Length).ContainsAnyExcept(LowerHexDigits);

    /// <summary>An image shared by codes compiled together, with the types it defines.</summary>
    private sealed record SharedImage(byte[] Image, HashSet<string> Types);
}
