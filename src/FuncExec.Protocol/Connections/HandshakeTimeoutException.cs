namespace FuncExec.Protocol.Connections;

/// <summary>The handshake did not finish within its time limit: the other side is not a FuncExec peer, or is stuck.</summary>
internal sealed class HandshakeTimeoutException : PeerProtocolException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public HandshakeTimeoutException()
        : base("the handshake did not finish in time")
    {
    }

    /// <summary>Creates the exception.</summary>
    public HandshakeTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the failure that caused it.</summary>
    public HandshakeTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
