using System.Security.Cryptography;
using FuncExec.Protocol.Components;
using FuncExec.Protocol.V1;

namespace FuncExec.Node.Components;

/// <summary>
/// Assembles the components a scheduler streams to a node in <see cref="ComponentChunk"/> pieces: each file is
/// written to a folder beside the store as its pieces arrive, in order, and the component is moved into the store
/// only when its last piece has come and its main file's SHA-256 matches its id. No more than a piece is ever held
/// in memory.
/// </summary>
/// <remarks>Used by one connection's reading loop, one piece at a time. Everything a piece says is checked:
/// the reference (<see cref="ComponentIds"/>), each name (<see cref="ComponentPath"/>), that pieces of a file
/// come in order and add up to its size, the size cap per file, and the store's cap for the whole.</remarks>
internal sealed class ComponentReceiver : IDisposable
{
    /// <summary>The most data one piece carries: 1 MiB.</summary>
    public const int ChunkSize = 1024 * 1024;

    /// <summary>The most components being received at once on one connection.</summary>
    private const int MaxInFlight = 4;

    /// <summary>The most files one component may have.</summary>
    private const int MaxFiles = 10_000;

    private readonly ComponentStore _store;
    private readonly long _maxFileSize;
    private readonly Dictionary<string, Incoming> _incoming = new(StringComparer.Ordinal);
    private readonly HashSet<string> _refused = new(StringComparer.Ordinal);

    /// <summary>Receives into <paramref name="store"/>, refusing files over <paramref name="maxFileSize"/> bytes.</summary>
    public ComponentReceiver(ComponentStore store, long maxFileSize)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _maxFileSize = maxFileSize;
    }

    /// <summary>Takes one piece.</summary>
    /// <returns>Null while pieces are still expected or once the component is stored; the reason, once, when the
    /// component is refused (its remaining pieces are then dropped).</returns>
    public string? Receive(ComponentChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (ComponentIds.Problem(chunk.Component) is { } problem)
        {
            return problem; // Nothing of it is kept, so every piece is refused the same way; the sender is broken.
        }

        var sha = chunk.Component.Sha256;
        if (_refused.Contains(sha))
        {
            if (chunk.End)
            {
                _refused.Remove(sha); // A later sending may succeed (say, once the store has room).
            }

            return null;
        }

        try
        {
            if (!_incoming.TryGetValue(sha, out var incoming))
            {
                if (_incoming.Count >= MaxInFlight)
                {
                    throw new InvalidDataException($"more than {MaxInFlight} components are being received at once");
                }

                incoming = new Incoming(Path.Combine(_store.IncomingRoot, $"{sha}.{Guid.NewGuid():N}"));
                _incoming[sha] = incoming;
            }

            if (chunk.Name.Length > 0 || chunk.Data.Length > 0)
            {
                Write(incoming, chunk);
            }

            if (chunk.End)
            {
                Complete(incoming, chunk.Component);
                _incoming.Remove(sha);
                incoming.Dispose();
            }

            return null;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            if (_incoming.Remove(sha, out var failed))
            {
                failed.Dispose();
            }

            if (!chunk.End)
            {
                _refused.Add(sha);
            }

            return ex.Message;
        }
    }

    /// <summary>Removes what was half received.</summary>
    public void Dispose()
    {
        foreach (var incoming in _incoming.Values)
        {
            incoming.Dispose();
        }

        _incoming.Clear();
    }

    /// <summary>Removes what an earlier process left half received a day or more ago.</summary>
    /// <remarks>Not everything: nodes on one machine may share a store, and another may be receiving now.</remarks>
    internal static void ClearIncoming(ComponentStore store)
    {
        if (!Directory.Exists(store.IncomingRoot))
        {
            return;
        }

        var stale = DateTime.UtcNow - TimeSpan.FromDays(1);
        foreach (var folder in new DirectoryInfo(store.IncomingRoot).EnumerateDirectories().Where(d => d.LastWriteTimeUtc < stale))
        {
            try
            {
                folder.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Another process removed it first.
            }
        }
    }

    private void Write(Incoming incoming, ComponentChunk chunk)
    {
        if (chunk.Data.Length > ChunkSize)
        {
            throw new InvalidDataException($"a piece of component file '{chunk.Name}' carries {chunk.Data.Length:N0} bytes, over the {ChunkSize:N0} a piece may");
        }

        if (chunk.FileSize < 0 || chunk.FileSize > _maxFileSize)
        {
            throw new InvalidDataException($"component file {chunk.Name} is {chunk.FileSize:N0} bytes, over this node's --max-file-size of {_maxFileSize:N0}");
        }

        if (incoming.Current is not { } current || current.Name != chunk.Name)
        {
            incoming.CloseCurrent();
            if (incoming.Names.Contains(chunk.Name))
            {
                throw new InvalidDataException($"component file '{chunk.Name}' comes twice");
            }

            if (incoming.Names.Count >= MaxFiles)
            {
                throw new InvalidDataException($"a component has more than {MaxFiles:N0} files");
            }

            var path = ComponentPath.Resolve(incoming.Folder, [chunk.Name])[0];
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            current = new IncomingFile(chunk.Name, chunk.FileSize, path, hash: chunk.Name == chunk.Component.FileName);
            incoming.Names.Add(chunk.Name);
            incoming.Current = current;
        }

        if (chunk.Offset != current.Written || chunk.FileSize != current.Size || current.Written + chunk.Data.Length > current.Size)
        {
            throw new InvalidDataException(
                $"component file '{chunk.Name}': a piece at offset {chunk.Offset:N0} with {chunk.Data.Length:N0} bytes does not follow the {current.Written:N0} bytes received of {current.Size:N0}");
        }

        incoming.Total += chunk.Data.Length;
        if (incoming.Total > _store.MaxSize)
        {
            throw new InvalidDataException($"component {chunk.Component.FileName} is over the store's cap of {_store.MaxSize:N0} bytes (--max-store-size)");
        }

        current.Append(chunk.Data.Span);
    }

    private void Complete(Incoming incoming, ComponentRef component)
    {
        incoming.CloseCurrent();
        if (incoming.MainHash is not { } hash || !string.Equals(hash, component.Sha256, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"component {component.FileName} does not match its hash {component.Sha256}");
        }

        _store.Adopt(component, incoming.Folder, incoming.Names);
    }

    private sealed class Incoming(string folder) : IDisposable
    {
        public string Folder { get; } = folder;

        public List<string> Names { get; } = [];

        public IncomingFile? Current { get; set; }

        public string? MainHash { get; private set; }

        public long Total { get; set; }

        public void CloseCurrent()
        {
            if (Current is { } current)
            {
                if (current.Written != current.Size)
                {
                    throw new InvalidDataException($"component file '{current.Name}' ended after {current.Written:N0} of its {current.Size:N0} bytes");
                }

                if (current.Hashing)
                {
                    MainHash = current.Finish();
                }

                current.Dispose();
                Current = null;
            }
        }

        public void Dispose()
        {
            Current?.Dispose();
            Current = null;
            if (Directory.Exists(Folder))
            {
                Directory.Delete(Folder, recursive: true);
            }
        }
    }

    private sealed class IncomingFile : IDisposable
    {
        private readonly FileStream _stream;
        private readonly IncrementalHash? _hash;
        private string? _digest;

        public IncomingFile(string name, long size, string path, bool hash)
        {
            Name = name;
            Size = size;
            _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            _hash = hash ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        }

        public string Name { get; }

        public long Size { get; }

        public long Written { get; private set; }

        public bool Hashing => _hash is not null;

        public void Append(ReadOnlySpan<byte> data)
        {
            _stream.Write(data);
            _hash?.AppendData(data);
            Written += data.Length;
        }

        public string? Finish() => _hash is null ? null : _digest ??= Convert.ToHexStringLower(_hash.GetHashAndReset());

        public void Dispose()
        {
            _stream.Dispose();
            _hash?.Dispose();
        }
    }
}
