using FuncExec.Protocol.Components;
using FuncExec.Protocol.V1;

namespace FuncExec.Node.Components;

/// <summary>The store's size: what each component takes, which ones are in use, and eviction of the rest.</summary>
internal sealed partial class ComponentStore
{
    private readonly string _sizeOption;

    // One lock for the index: sessions of many clients (or a node's connection and its computations) use one store.
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _pins = new(StringComparer.Ordinal);
    private long _clock;
    private long _totalSize;
    // Whether what earlier runs left was counted (EnsureIndexedLocked): not at construction, as a store can be large.
    private bool _indexed;

    /// <summary>The most bytes the store holds; adding past it evicts the least recently used components that are not
    /// pinned, and refuses the new one when that is not enough.</summary>
    public long MaxSize { get; }

    /// <summary>The bytes the store holds now.</summary>
    public long TotalSize
    {
        get
        {
            lock (_lock)
            {
                EnsureIndexedLocked();
                return _totalSize;
            }
        }
    }

    /// <summary>
    /// Keeps <paramref name="component"/> from eviction until as many <see cref="Unpin"/> calls: a computation uses
    /// it, or an upload waits for the computation that will. A component may be pinned before it is stored.
    /// </summary>
    /// <exception cref="InvalidDataException">The reference is not valid.</exception>
    public void Pin(ComponentRef component)
    {
        ComponentIds.Check(component);
        lock (_lock)
        {
            _pins[component.Sha256] = _pins.GetValueOrDefault(component.Sha256) + 1;
        }
    }

    /// <summary>Undoes one <see cref="Pin"/>.</summary>
    public void Unpin(ComponentRef component)
    {
        ArgumentNullException.ThrowIfNull(component);
        lock (_lock)
        {
            if (_pins.TryGetValue(component.Sha256, out var count))
            {
                if (count <= 1)
                {
                    _pins.Remove(component.Sha256);
                }
                else
                {
                    _pins[component.Sha256] = count - 1;
                }
            }
        }
    }

    /// <summary>Whether something holds <paramref name="component"/> (see <see cref="Pin"/>).</summary>
    public bool IsPinned(ComponentRef component)
    {
        ArgumentNullException.ThrowIfNull(component);
        lock (_lock)
        {
            return _pins.ContainsKey(component.Sha256);
        }
    }

    /// <summary>Removes <paramref name="component"/> and its files unless it is pinned.</summary>
    /// <returns>Whether it was removed.</returns>
    public bool Delete(ComponentRef component)
    {
        if (ComponentIds.Problem(component) is not null)
        {
            return false;
        }

        lock (_lock)
        {
            EnsureIndexedLocked();
            if (_pins.ContainsKey(component.Sha256))
            {
                return false;
            }

            return RemoveLocked(component.Sha256);
        }
    }

    /// <summary>The bytes <paramref name="component"/> takes with its files, or 0 when it is not stored.</summary>
    public long SizeOf(ComponentRef component)
    {
        ArgumentNullException.ThrowIfNull(component);
        lock (_lock)
        {
            EnsureIndexedLocked();
            return _entries.TryGetValue(component.Sha256, out var entry) ? entry.Size : 0;
        }
    }

    /// <summary>Marks a component just used, for eviction order; true so it reads inside a condition.</summary>
    private bool Touch(string sha)
    {
        lock (_lock)
        {
            EnsureIndexedLocked();
            if (_entries.TryGetValue(sha, out var entry))
            {
                entry.LastUsed = ++_clock;
            }
        }

        return true;
    }

    /// <summary>
    /// Counts a component just written, then evicts the least recently used components nobody pins until the store
    /// is within <see cref="MaxSize"/>; when that is not enough, removes the new one and says so.
    /// </summary>
    /// <exception cref="InvalidDataException">The store cannot hold it (the message names the cap's option).</exception>
    private void Admit(ComponentRef component)
    {
        var size = SizeOnDisk(Path.Combine(Root, component.Sha256));
        lock (_lock)
        {
            EnsureIndexedLocked();
            if (_entries.TryGetValue(component.Sha256, out var known))
            {
                _totalSize -= known.Size;
            }

            _entries[component.Sha256] = new Entry { Size = size, LastUsed = ++_clock };
            _totalSize += size;
            while (_totalSize > MaxSize)
            {
                var victim = _entries
                    .Where(e => e.Key != component.Sha256 && !_pins.ContainsKey(e.Key))
                    .OrderBy(e => e.Value.LastUsed)
                    .Select(e => e.Key)
                    .FirstOrDefault();
                if (victim is null)
                {
                    var held = _totalSize - size;
                    RemoveLocked(component.Sha256);
                    throw new InvalidDataException(
                        $"component {component.FileName} ({size:N0} bytes) does not fit in the component store: {held:N0} of its {MaxSize:N0} bytes ({_sizeOption}) are held by open computations and pending uploads");
                }

                RemoveLocked(victim);
            }
        }
    }

    private bool RemoveLocked(string sha)
    {
        var removed = _entries.Remove(sha, out var entry);
        if (removed)
        {
            _totalSize -= entry!.Size;
        }

        var directory = Path.Combine(Root, sha);
        if (Directory.Exists(directory) && !IsLink(directory))
        {
            Directory.Delete(directory, recursive: true);
            return true;
        }

        return removed;
    }

    /// <summary>
    /// Counts what earlier runs left in the store now, on a thread of the pool, rather than when it is first needed: a
    /// node calls it once its workers are starting, so a store that has grown large does not hold up their start.
    /// </summary>
    public void IndexInBackground() => _ = Task.Run(() =>
    {
        lock (_lock)
        {
            EnsureIndexedLocked();
        }
    });

    /// <summary>Counts what earlier runs left in the store, once, before the index is first read or changed.</summary>
    private void EnsureIndexedLocked()
    {
        // Marked only once counted: a walk that failed (in the background, where nobody sees it) is tried again, and
        // fails there, by the first caller that needs the index. IndexExisting changes nothing until its walk is done.
        if (!_indexed)
        {
            IndexExisting();
            _indexed = true;
        }
    }

    /// <summary>Counts what an earlier run left in the store, oldest first.</summary>
    private void IndexExisting()
    {
        var found = new List<(string Sha, long Size, DateTime Written)>();
        foreach (var directory in new DirectoryInfo(Root).EnumerateDirectories())
        {
            if (ComponentIds.IsValid(directory.Name) && directory.LinkTarget is null)
            {
                found.Add((directory.Name, SizeOnDisk(directory.FullName), directory.LastWriteTimeUtc));
            }
        }

        foreach (var (sha, size, _) in found.OrderBy(f => f.Written))
        {
            _entries[sha] = new Entry { Size = size, LastUsed = ++_clock };
            _totalSize += size;
        }
    }

    private static long SizeOnDisk(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        // Not another writer's temporary file: it may be renamed into place (and counted then) before its length is read.
        var walk = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        return new DirectoryInfo(directory).EnumerateFiles("*", walk).Where(file => !IsTemporary(file.Name)).Sum(file => file.Length);
    }

    private static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;

    /// <summary><paramref name="path"/> with every symbolic link on it resolved (the store's root may sit behind one, as /tmp does on macOS).</summary>
    private static string ResolveLinks(string path)
    {
        var info = new DirectoryInfo(path);
        var parent = info.Parent is null ? null : ResolveLinks(info.Parent.FullName);
        var here = parent is null ? info.FullName : Path.Combine(parent, info.Name);
        return new DirectoryInfo(here).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? here;
    }

    private sealed class Entry
    {
        public long Size { get; init; }

        public long LastUsed { get; set; }
    }
}
