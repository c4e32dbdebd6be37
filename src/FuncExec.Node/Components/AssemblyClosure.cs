using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace FuncExec.Node.Components;

/// <summary>The assemblies an assembly references that sit beside it, transitively: what it loads from its own folder.</summary>
internal static class AssemblyClosure
{
    /// <summary>The file names of the assemblies beside <paramref name="path"/> that it references, transitively,
    /// neither taking nor walking through those <paramref name="leaveOut"/> names.</summary>
    /// <exception cref="BadImageFormatException">A file on the way is not a .NET assembly.</exception>
    public static List<string> Beside(string path, Func<string, bool> leaveOut)
    {
        ArgumentNullException.ThrowIfNull(leaveOut);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var found = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { Path.GetFullPath(path) };
        var pending = new Stack<string>();
        pending.Push(Path.GetFullPath(path));
        while (pending.TryPop(out var current))
        {
            using var stream = File.OpenRead(current);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                throw new BadImageFormatException($"{current} is not a .NET assembly", current);
            }

            var metadata = pe.GetMetadataReader();
            foreach (var handle in metadata.AssemblyReferences)
            {
                var name = metadata.GetString(metadata.GetAssemblyReference(handle).Name);
                if (leaveOut(name))
                {
                    continue;
                }

                var candidate = Path.Combine(directory, name + ".dll");
                if (File.Exists(candidate) && seen.Add(candidate))
                {
                    found.Add(Path.GetFileName(candidate));
                    pending.Push(candidate);
                }
            }
        }

        return found;
    }
}
