namespace FuncExec.Protocol.Connections;

/// <summary>The two sides do not share a secret, or the scheduler's TLS certificate is not the one this side trusts.</summary>
internal sealed class AuthenticationFailedException : PeerProtocolException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public AuthenticationFailedException()
        : base("the two sides do not share a secret")
    {
    }

    /// <summary>Creates the exception.</summary>
    public AuthenticationFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the failure that caused it.</summary>
    public AuthenticationFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
