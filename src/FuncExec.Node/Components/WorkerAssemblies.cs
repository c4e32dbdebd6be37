using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using FuncExec.Node.Workers;

namespace FuncExec.Node.Components;

/// <summary>
/// The assemblies a job's component leaves behind because a worker has them: the worker program's own dependency
/// closure, and FuncExec's own assemblies. A job that references one runs against the worker's copy.
/// </summary>
/// <remarks>
/// <para>Both are read from the files beside the worker program, not from a list of names, so they follow the
/// build. The worker's closure is what <c>FuncExec.Worker.dll</c> references, transitively, among the assemblies
/// beside it: FuncExec's function layer and protocol, and the packages they use. A worker loads those from its own
/// folder before any component (its trusted platform assemblies), so a job's copy would never load.</para>
/// <para>FuncExec's own assemblies carry the assembly metadata <see cref="MarkerKey"/> (every project under
/// <c>src/</c> sets it), found beside the worker or beside the job: a user's assembly may be called
/// <c>FuncExec.Something</c> too, and it travels. A job built into a client program references the client, which
/// no worker has, and through it the scheduler and the code compiler; what a job uses of FuncExec on a worker is in
/// <c>FuncExec.Abstractions</c>, so the client and what only it uses stay behind as well. A job that uses one of
/// those packages itself (Roslyn, say) references it directly, and it travels.</para>
/// <para>The shared frameworks are not listed here: <see cref="DependencyManifest"/> leaves them out, and an
/// assembly without a manifest takes only what sits beside it.</para>
/// </remarks>
internal sealed class WorkerAssemblies
{
    /// <summary>The key of the <see cref="AssemblyMetadataAttribute"/> that marks an assembly as FuncExec's own.</summary>
    public const string MarkerKey = "FuncExec.Assembly";

    private readonly string _directory;
    private readonly Lazy<HashSet<string>> _closure;
    private readonly ConcurrentDictionary<string, bool> _marked = new(StringComparer.Ordinal);

    /// <summary>Reads what the worker program at <paramref name="workerAssembly"/> has, when first asked.</summary>
    public WorkerAssemblies(string workerAssembly)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerAssembly);
        var full = Path.GetFullPath(workerAssembly);
        _directory = Path.GetDirectoryName(full)!;
        _closure = new(() => ReadClosure(full));
    }

    /// <summary>The worker program that ships beside this process (<see cref="WorkerLauncher.WorkerAssembly"/>).</summary>
    public static WorkerAssemblies Current { get; } = new(WorkerLauncher.WorkerAssembly);

    /// <summary>Whether a worker has the assembly (or the library of that name in a <c>NAME.deps.json</c>), so a job
    /// whose files are in <paramref name="jobDirectory"/> leaves it behind.</summary>
    public bool Has(string name, string? jobDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || Path.GetFileName(name) != name)
        {
            return false;
        }

        return _closure.Value.Contains(name)
            || IsMarked(Path.Combine(_directory, name + ".dll"))
            || (jobDirectory is not null && IsMarked(Path.Combine(jobDirectory, name + ".dll")));
    }

    private static HashSet<string> ReadClosure(string workerAssembly)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (File.Exists(workerAssembly))
        {
            names.Add(Path.GetFileNameWithoutExtension(workerAssembly));
            foreach (var file in AssemblyClosure.Beside(workerAssembly, leaveOut: _ => false))
            {
                names.Add(Path.GetFileNameWithoutExtension(file));
            }
        }

        return names;
    }

    private bool IsMarked(string path) => _marked.GetOrAdd(Path.GetFullPath(path), static path => ReadMarker(path));

    /// <summary>Whether the assembly at <paramref name="path"/> carries <c>[assembly: AssemblyMetadata("FuncExec.Assembly", ...)]</c>.</summary>
    private static bool ReadMarker(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                return false;
            }

            var metadata = pe.GetMetadataReader();
            if (!metadata.IsAssembly)
            {
                return false;
            }

            foreach (var handle in metadata.GetAssemblyDefinition().GetCustomAttributes())
            {
                var attribute = metadata.GetCustomAttribute(handle);
                if (attribute.Constructor.Kind != HandleKind.MemberReference
                    || metadata.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent is not { Kind: HandleKind.TypeReference } parent
                    || metadata.GetString(metadata.GetTypeReference((TypeReferenceHandle)parent).Name) != nameof(AssemblyMetadataAttribute))
                {
                    continue;
                }

                // The attribute's blob: a prolog (1), then its key and value as serialized strings.
                var value = metadata.GetBlobReader(attribute.Value);
                if (value.ReadUInt16() == 1 && value.ReadSerializedString() == MarkerKey)
                {
                    return true;
                }
            }

            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BadImageFormatException)
        {
            // Not readable as an assembly, so not one of FuncExec's: it is the job's, and travels.
            return false;
        }
    }
}
