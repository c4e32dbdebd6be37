using FuncExec.Protocol.Components;
using FuncExec.Protocol.V1;

namespace FuncExec.Node.Components;

/// <summary>
/// The components one client uploaded to a shared store, and what keeps them there: an upload no open computation
/// of the client uses yet counts against <see cref="MaxPending"/> and expires after <see cref="Grace"/> or when the
/// client leaves (its files removed unless something else uses them); one an open computation uses stays pinned until
/// the computation closes, then is an ordinary cached component the store may evict.
/// </summary>
/// <remarks>Thread-safe: the client's connection calls it, and the expiry timer runs beside it.</remarks>
internal sealed class ComponentUploads : IDisposable
{
    private readonly ComponentStore _store;
    private readonly TimeProvider _time;
    private readonly string _limitOption;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<long, List<ComponentRef>> _computations = [];
    private readonly ITimer _expiry;
    private long _pendingBytes;
    private bool _disposed;

    /// <summary>Tracks one client's uploads into <paramref name="store"/>.</summary>
    /// <param name="store">The shared store.</param>
    /// <param name="maxPending">The most bytes of uploads no open computation of the client uses yet.</param>
    /// <param name="grace">How long such an upload waits for its computation before it is removed.</param>
    /// <param name="time">The clock.</param>
    /// <param name="limitOption">The option that sets <paramref name="maxPending"/>, named in refusals.</param>
    public ComponentUploads(ComponentStore store, long maxPending, TimeSpan grace, TimeProvider time, string limitOption = "--max-pending-uploads")
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _time = time;
        _limitOption = limitOption;
        MaxPending = maxPending;
        Grace = grace;
        var period = grace / 4 > TimeSpan.FromMilliseconds(10) ? grace / 4 : TimeSpan.FromMilliseconds(10);
        _expiry = time.CreateTimer(_ => ExpireOld(), null, period, period);
    }

    /// <summary>The most bytes of uploads no open computation of the client uses yet.</summary>
    public long MaxPending { get; }

    /// <summary>How long an upload waits for the computation that uses it.</summary>
    public TimeSpan Grace { get; }

    /// <summary>The bytes of uploads no open computation of the client uses yet.</summary>
    public long PendingBytes
    {
        get
        {
            lock (_lock)
            {
                return _pendingBytes;
            }
        }
    }

    /// <summary>Stores an upload of the client, unless it breaks a rule.</summary>
    /// <returns>Null when stored (or already there); otherwise why it was refused, naming the reference, the file or
    /// the limit at fault.</returns>
    public string? Upload(ComponentRef component, IReadOnlyList<(string Name, ReadOnlyMemory<byte> Content)> files, long maxFileSize)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (ComponentIds.Problem(component) is { } problem)
        {
            return problem;
        }

        var size = files.Sum(file => (long)file.Content.Length);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_pending.ContainsKey(component.Sha256) || _computations.Values.Any(used => used.Any(c => c.Sha256 == component.Sha256)))
            {
                return null;
            }

            var wrote = !_store.Contains(component);
            var counted = wrote ? size : 0;
            if (_pendingBytes + counted > MaxPending)
            {
                return $"component {component.FileName} ({size:N0} bytes) would bring this client's uploads that no open computation uses to {_pendingBytes + counted:N0} bytes, over the scheduler's {_limitOption} of {MaxPending:N0}; open the computation that uses what was uploaded before uploading more";
            }

            _store.Pin(component);
            try
            {
                if (wrote)
                {
                    _store.PutBundle(component, files, maxFileSize);
                }
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                _store.Unpin(component);
                if (wrote)
                {
                    _store.Delete(component);
                }

                return ex.Message;
            }

            _pending[component.Sha256] = new Pending(component, counted, wrote, _time.GetUtcNow());
            _pendingBytes += counted;
            return null;
        }
    }

    /// <summary>
    /// Pins the components computation <paramref name="computation"/> uses until <see cref="Release"/>: they leave
    /// the pending uploads and stop counting against <see cref="MaxPending"/>.
    /// </summary>
    /// <returns>Null when every one is stored; otherwise what is wrong with the first that is not, and nothing is pinned.</returns>
    public string? Reference(long computation, IReadOnlyList<ComponentRef> components)
    {
        ArgumentNullException.ThrowIfNull(components);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var component in components)
            {
                if (ComponentIds.Problem(component) is { } problem)
                {
                    return problem;
                }

                if (!_store.Contains(component))
                {
                    return $"component {component.FileName} ({component.Sha256}) was not uploaded before the computation that needs it";
                }
            }

            var used = new List<ComponentRef>(components.Count);
            foreach (var component in components)
            {
                _store.Pin(component);
                used.Add(component);
                if (_pending.Remove(component.Sha256, out var pending))
                {
                    _pendingBytes -= pending.Bytes;
                    _store.Unpin(component); // The computation's pin holds it now.
                }
            }

            if (_computations.Remove(computation, out var earlier))
            {
                earlier.ForEach(_store.Unpin);
            }

            _computations[computation] = used;
            return null;
        }
    }

    /// <summary>
    /// Marks an upload as used by tasks the client submitted outside a computation: it no longer expires after
    /// <see cref="Grace"/> (its tasks may wait in the queue longer), but still counts against
    /// <see cref="MaxPending"/> and goes when the client does.
    /// </summary>
    public void MarkUsed(ComponentRef component)
    {
        ArgumentNullException.ThrowIfNull(component);
        lock (_lock)
        {
            if (_pending.TryGetValue(component.Sha256, out var pending))
            {
                pending.Used = true;
            }
        }
    }

    /// <summary>Unpins what computation <paramref name="computation"/> used: it closed. The files stay, as cache.</summary>
    public void Release(long computation)
    {
        lock (_lock)
        {
            if (_computations.Remove(computation, out var used))
            {
                used.ForEach(_store.Unpin);
            }
        }
    }

    /// <summary>Removes the uploads that waited longer than <see cref="Grace"/> for a computation.</summary>
    /// <returns>How many were removed.</returns>
    public int ExpireOld()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var expired = _pending.Values.Where(p => !p.Used && now - p.Uploaded >= Grace).ToList();
            foreach (var pending in expired)
            {
                Drop(pending);
            }

            return expired.Count;
        }
    }

    /// <summary>The client left: its pending uploads are removed, its computations' components unpinned.</summary>
    public void Dispose()
    {
        _expiry.Dispose();
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var pending in _pending.Values.ToList())
            {
                Drop(pending);
            }

            foreach (var used in _computations.Values)
            {
                used.ForEach(_store.Unpin);
            }

            _computations.Clear();
        }
    }

    private void Drop(Pending pending)
    {
        _pending.Remove(pending.Component.Sha256);
        _pendingBytes -= pending.Bytes;
        _store.Unpin(pending.Component);
        if (pending.Wrote)
        {
            // Unless another client's computation or upload holds it meanwhile.
            _store.Delete(pending.Component);
        }
    }

    private sealed record Pending(ComponentRef Component, long Bytes, bool Wrote, DateTimeOffset Uploaded)
    {
        public bool Used { get; set; }
    }
}
