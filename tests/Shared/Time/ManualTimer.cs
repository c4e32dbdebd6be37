namespace FuncExec.Tests.Time;

/// <summary>A timer of <see cref="ManualTimeProvider"/>: fires when the clock is advanced past its due time.</summary>
internal sealed class ManualTimer : ITimer
{
    private readonly ManualTimeProvider _clock;
    private readonly TimerCallback _callback;
    private readonly object? _state;
    private readonly Lock _lock = new();
    private DateTimeOffset? _dueAt;
    private TimeSpan _period = Timeout.InfiniteTimeSpan;

    public ManualTimer(ManualTimeProvider clock, TimerCallback callback, object? state)
    {
        _clock = clock;
        _callback = callback;
        _state = state;
    }

    public DateTimeOffset? DueAt
    {
        get
        {
            lock (_lock)
            {
                return _dueAt;
            }
        }
    }

    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        // Read the clock before taking our lock: the clock takes its lock, then ours.
        var now = _clock.Now;
        lock (_lock)
        {
            _dueAt = dueTime == Timeout.InfiniteTimeSpan ? null : now + dueTime;
            _period = period;
        }

        return true;
    }

    public void Fire()
    {
        lock (_lock)
        {
            _dueAt = _period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero ? null : _dueAt + _period;
        }

        _callback(_state);
    }

    public void Dispose() => _clock.Remove(this);

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
