namespace FuncExec.Protocol.Connections;

/// <summary>
/// One budget for the bytes of partly received frames across all the connections a server reads,
/// so that peers that start large frames and never finish them cannot hold more than
/// <see cref="Capacity"/> bytes between them.
/// </summary>
/// <remarks>
/// <para>
/// A <see cref="FrameConnection"/> given a budget charges it for the bytes of its current frame as
/// they arrive beyond a small free <see cref="ConnectionAllowance"/> (never the length a frame
/// announces), and gives them back once the frame has been handled or the connection closes. When
/// the budget is full, the connection stops reading its socket until bytes come back
/// (backpressure), and waiters are served first come, first served.
/// </para>
/// <para>
/// A frame that holds budget bytes must be finished at a minimum rate: within
/// <see cref="FrameGrace"/> plus its length at <see cref="MinBytesPerSecond"/>, counted from when
/// it first got budget bytes, waits included. A peer that sends slower (or a peer stuck behind a
/// full budget for that long) is closed, so what attackers hold always comes back and a good peer
/// waiting in line is served in turn. Waiting for a frame's first budget bytes holds nothing but
/// the allowance, so it has no time limit.
/// </para>
/// </remarks>
internal sealed class InboundMemoryBudget
{
    /// <summary>Bytes of a partial frame each connection may hold outside the budget: small frames (pulses, results, submissions) never wait.</summary>
    public const int ConnectionAllowance = 64 * 1024;

    // Below this peak, freeing the bytes is left to the GC's own pace.
    private const long CompactionThreshold = 16L * 1024 * 1024;

    private static readonly TimeSpan CompactionDelay = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private long _reserved;
    private long _peak;
    private ITimer? _compaction;

    /// <summary>Creates a budget of <paramref name="capacity"/> bytes.</summary>
    /// <param name="capacity">The most bytes of partial frames held at once, across connections.</param>
    /// <param name="timeProvider">The clock for frame deadlines; the system clock when null.</param>
    public InboundMemoryBudget(long capacity, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The most bytes held at once.</summary>
    public long Capacity { get; }

    /// <summary>The clock frame deadlines are measured with.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The time any frame that holds budget bytes is given on top of its length at <see cref="MinBytesPerSecond"/>.</summary>
    /// <remarks>Default: 10 s.</remarks>
    public TimeSpan FrameGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The slowest a frame that holds budget bytes may arrive.</summary>
    /// <remarks>Default: 256 KiB/s, so a 10 MiB upload has 50 s.</remarks>
    public long MinBytesPerSecond { get; init; } = 256 * 1024;

    /// <summary>
    /// When the bytes held fall back to nothing after a peak of more than 16 MiB, ask the runtime
    /// for a compacting collection a second later, so a burst of large frames (or an attack) does
    /// not leave the process holding that memory while it idles.
    /// </summary>
    /// <remarks>Default: false (a library leaves collections to its host).</remarks>
    public bool ReturnMemoryWhenDrained { get; init; }

    /// <summary>The bytes held now.</summary>
    public long Reserved
    {
        get
        {
            lock (_lock)
            {
                return _reserved;
            }
        }
    }

    /// <summary>How many reservations are waiting for bytes to come back.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>How long a frame of <paramref name="length"/> bytes may take once it holds budget bytes.</summary>
    public TimeSpan FrameDeadline(long length) =>
        FrameGrace + TimeSpan.FromSeconds((double)Math.Max(length, 0) / MinBytesPerSecond);

    /// <summary>Takes <paramref name="bytes"/> if they are free now and no one waits before us.</summary>
    public bool TryReserve(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_lock)
        {
            return TryTakeLocked(bytes);
        }
    }

    /// <summary>Takes <paramref name="bytes"/>, waiting in line until they are free.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is over <see cref="Capacity"/>: it could never be served.</exception>
    /// <exception cref="OperationCanceledException">Cancelled while waiting; nothing was taken.</exception>
    public ValueTask ReserveAsync(long bytes, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, Capacity);
        Waiter waiter;
        lock (_lock)
        {
            if (TryTakeLocked(bytes))
            {
                return ValueTask.CompletedTask;
            }

            cancellationToken.ThrowIfCancellationRequested();
            waiter = new Waiter(this, bytes);
            waiter.Node = _waiters.AddLast(waiter);
        }

        return WaitAsync(waiter, cancellationToken);
    }

    /// <summary>Gives back <paramref name="bytes"/> taken before, and serves the waiters they free.</summary>
    public void Release(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes == 0)
        {
            return;
        }

        List<Waiter>? granted;
        var compact = false;
        lock (_lock)
        {
            _reserved = Math.Max(0, _reserved - bytes);
            granted = GrantLocked();
            if (_reserved == 0 && _peak > CompactionThreshold && ReturnMemoryWhenDrained && _compaction is null)
            {
                compact = true;
            }

            if (_reserved == 0)
            {
                _peak = 0;
            }
        }

        Complete(granted);
        if (compact)
        {
            ScheduleCompaction();
        }
    }

    private bool TryTakeLocked(long bytes)
    {
        if (_waiters.Count > 0 || _reserved + bytes > Capacity)
        {
            return false;
        }

        _reserved += bytes;
        _peak = Math.Max(_peak, _reserved);
        return true;
    }

    // First come, first served: a large request at the head is not overtaken by small ones behind
    // it, or a steady stream of small ones could starve it.
    private List<Waiter>? GrantLocked()
    {
        List<Waiter>? granted = null;
        while (_waiters.First is { } head && _reserved + head.Value.Bytes <= Capacity)
        {
            _waiters.RemoveFirst();
            head.Value.Node = null;
            _reserved += head.Value.Bytes;
            _peak = Math.Max(_peak, _reserved);
            (granted ??= []).Add(head.Value);
        }

        return granted;
    }

    private static void Complete(List<Waiter>? granted)
    {
        if (granted is null)
        {
            return;
        }

        foreach (var waiter in granted)
        {
            waiter.Completion.TrySetResult();
        }
    }

    private static async ValueTask WaitAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        var registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Budget.Cancel((Waiter)state!, token), waiter);
        await using (registration.ConfigureAwait(false))
        {
            await waiter.Completion.Task.ConfigureAwait(false);
        }
    }

    private void Cancel(Waiter waiter, CancellationToken token)
    {
        List<Waiter>? granted;
        lock (_lock)
        {
            if (waiter.Node is null)
            {
                // Already served: the caller owns the bytes and gives them back itself.
                return;
            }

            _waiters.Remove(waiter.Node);
            waiter.Node = null;
            // The head leaving may let the next ones in.
            granted = GrantLocked();
        }

        waiter.Completion.TrySetCanceled(token);
        Complete(granted);
    }

    private void ScheduleCompaction()
    {
        lock (_lock)
        {
            if (_compaction is not null)
            {
                return;
            }

            _compaction = TimeProvider.CreateTimer(static state => ((InboundMemoryBudget)state!).Compact(), this, CompactionDelay, Timeout.InfiniteTimeSpan);
        }
    }

    private void Compact()
    {
        bool idle;
        lock (_lock)
        {
            _compaction?.Dispose();
            _compaction = null;
            idle = _reserved < CompactionThreshold;
        }

        if (idle)
        {
            // The bytes of abandoned frames were promoted while they waited, so only a full,
            // compacting collection frees them; aggressive mode also decommits the freed memory.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }

    private sealed class Waiter(InboundMemoryBudget budget, long bytes)
    {
        public InboundMemoryBudget Budget { get; } = budget;

        public long Bytes { get; } = bytes;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }
    }
}
