namespace FuncExec;

/// <summary>Times as the wire carries them: microseconds since the Unix epoch, 0 for none.</summary>
internal static class UnixTime
{
    /// <summary>Now.</summary>
    public static long NowMicroseconds() => ToMicroseconds(DateTimeOffset.UtcNow);

    /// <summary>Microseconds since the epoch as a time; 0 means none.</summary>
    public static DateTimeOffset? FromMicroseconds(long microseconds) =>
        microseconds > 0 ? DateTimeOffset.UnixEpoch.AddTicks(microseconds * 10) : null;

    /// <summary>A time as microseconds since the epoch; none is 0.</summary>
    public static long ToMicroseconds(DateTimeOffset? time) =>
        time is { } t ? (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10 : 0;
}
