using System.Security.Cryptography;

namespace FuncExec.Protocol.Connections;

/// <summary>
/// What a client that reattaches says in its Hello: a token that names it across connections, and
/// how long the scheduler should keep its work after its connection drops.
/// </summary>
/// <remarks>
/// The token is 128 random bits as 32 lowercase hex characters, made once per client. It is a
/// secret of that client (whoever knows it may resume its tasks), so logs show only its first 8
/// characters (<see cref="ShortToken"/>).
/// </remarks>
/// <param name="Token">32 lowercase hex characters.</param>
/// <param name="ReattachTime">How long the scheduler keeps the client's tasks, computations and reports after its connection drops.</param>
internal sealed record ClientIdentity(string Token, TimeSpan ReattachTime)
{
    /// <summary>The length of a token in characters.</summary>
    public const int TokenLength = 32;

    /// <summary>A new identity with a fresh random token.</summary>
    public static ClientIdentity Create(TimeSpan reattachTime) =>
        new(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(TokenLength / 2)), reattachTime);

    /// <summary>The token's first 8 characters, for logs.</summary>
    public string ShortToken => Token[..Math.Min(8, Token.Length)];

    /// <summary>The reattach time as the Hello carries it: whole milliseconds, at least 1, at most <see cref="uint.MaxValue"/>.</summary>
    public uint ReattachMilliseconds => (uint)Math.Clamp(Math.Ceiling(ReattachTime.TotalMilliseconds), 1, uint.MaxValue);

    /// <summary>Whether <paramref name="token"/> is 32 lowercase hex characters.</summary>
    public static bool IsValidToken(string? token) =>
        token is { Length: TokenLength } && token.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    /// <inheritdoc />
    public override string ToString() => $"client {ShortToken}… (reattach {ReattachTime.TotalSeconds:0.###} s)";
}
