namespace FuncExec.Protocol.Diagnostics;

/// <summary>What <see cref="LogRateLimiter.Admit"/> decided for one event.</summary>
/// <param name="Write">True to write a line for this event.</param>
/// <param name="Suppressed">When writing: how many events of the same key were not written since its previous line.</param>
/// <param name="Since">When writing: how long ago that previous line was (zero for a key's first line).</param>
internal readonly record struct LogAdmission(bool Write, long Suppressed, TimeSpan Since);
