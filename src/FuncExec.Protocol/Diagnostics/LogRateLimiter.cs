namespace FuncExec.Protocol.Diagnostics;

/// <summary>
/// Lets one log line through per key (a peer's address, say) per interval and counts the rest, so
/// that a flood of identical events writes a bounded log.
/// </summary>
/// <remarks>
/// <para>
/// The caller writes a line only when <see cref="Admit"/> says so, and adds the count of the
/// events it suppressed since the key's previous line ("… and 523 more like it from 127.0.0.1 in
/// the last 10 s"). A count still pending when the flood stops is reported with the key's next
/// event, or never.
/// </para>
/// <para>
/// It remembers at most a fixed number of keys: beyond that, keys quiet for an interval are
/// forgotten, and if all are busy, new keys share one entry, so a flood from many addresses is
/// bounded too. Safe for concurrent use.
/// </para>
/// </remarks>
internal sealed class LogRateLimiter
{
    /// <summary>The key new keys share when the table is full of busy ones.</summary>
    public const string OverflowKey = "(other addresses)";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly int _maxKeys;

    /// <summary>Creates a limiter that lets one line per key through every <paramref name="interval"/>.</summary>
    /// <param name="interval">The quiet time after a line for its key.</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    /// <param name="maxKeys">The most keys remembered at once.</param>
    public LogRateLimiter(TimeSpan interval, TimeProvider? timeProvider = null, int maxKeys = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 1);
        Interval = interval;
        _time = timeProvider ?? TimeProvider.System;
        _maxKeys = maxKeys;
    }

    /// <summary>The quiet time after a line for its key.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Counts an event for <paramref name="key"/> and says whether to write a line for it.</summary>
    public LogAdmission Admit(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                if (_entries.Count >= _maxKeys)
                {
                    ForgetQuietLocked(now);
                }

                if (_entries.Count >= _maxKeys)
                {
                    key = OverflowKey;
                    entry = _entries.GetValueOrDefault(key);
                }
            }

            if (entry is not null && now - entry.LastLine < Interval)
            {
                entry.Suppressed++;
                return new LogAdmission(false, 0, TimeSpan.Zero);
            }

            var suppressed = entry?.Suppressed ?? 0;
            var since = entry is null ? TimeSpan.Zero : now - entry.LastLine;
            _entries[key] = new Entry { LastLine = now };
            return new LogAdmission(true, suppressed, since);
        }
    }

    private void ForgetQuietLocked(DateTimeOffset now)
    {
        List<string>? quiet = null;
        foreach (var (key, entry) in _entries)
        {
            if (now - entry.LastLine >= Interval)
            {
                (quiet ??= []).Add(key);
            }
        }

        if (quiet is not null)
        {
            foreach (var key in quiet)
            {
                _entries.Remove(key);
            }
        }
    }

    private sealed class Entry
    {
        public DateTimeOffset LastLine { get; init; }

        public long Suppressed { get; set; }
    }
}
