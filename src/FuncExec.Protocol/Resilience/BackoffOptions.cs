namespace FuncExec.Protocol.Resilience;

/// <summary>The shape of a <see cref="Backoff"/>: where it starts, where it stops growing, its spread, and its end.</summary>
/// <remarks>Defaults: 100 ms first, doubling to 10 s, <see cref="BackoffJitter.Equal"/>, no deadline.</remarks>
internal sealed record BackoffOptions
{
    /// <summary>The defaults.</summary>
    public static BackoffOptions Default { get; } = new();

    /// <summary>The first wait, before any spread; each later one doubles it, up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How the waits are spread.</summary>
    public BackoffJitter Jitter { get; init; } = BackoffJitter.Equal;

    /// <summary>How long after the first failure (the backoff's start, or its last <see cref="Backoff.Reset"/>) to stop
    /// trying; null for never.</summary>
    public TimeSpan? Deadline { get; init; }
}
