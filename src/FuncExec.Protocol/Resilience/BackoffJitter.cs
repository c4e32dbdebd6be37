namespace FuncExec.Protocol.Resilience;

/// <summary>How <see cref="Backoff"/> spreads its waits, so that many peers cut off at once do not all come back at once.</summary>
internal enum BackoffJitter
{
    /// <summary>No spread: exactly the exponential delay.</summary>
    None,

    /// <summary>Anywhere from zero to the exponential delay.</summary>
    Full,

    /// <summary>Half the exponential delay plus up to the other half: never less than half, never more than all of it.</summary>
    Equal,

    /// <summary>Anywhere from the first delay to three times the last wait, capped at the longest.</summary>
    Decorrelated,
}
