using FuncExec.Core.Functions.Internal;
using Microsoft.CodeAnalysis;

namespace FuncExec.Client.Compilation;

/// <summary>The assemblies code strings compile against: every trusted platform assembly of this process.</summary>
internal static class CompilationReferences
{
    private static readonly Lazy<MetadataReference[]> LazyAll = new(Create);

    public static IReadOnlyList<MetadataReference> All => LazyAll.Value;

    private static MetadataReference[] Create()
    {
        var references = new List<MetadataReference>();
        foreach (var path in TrustedPlatform.Paths)
        {
            try
            {
                references.Add(MetadataReference.CreateFromFile(path));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BadImageFormatException)
            {
                // A listed file that cannot be read is left out; code that needs it reports the missing type.
            }
        }

        return [.. references];
    }
}
