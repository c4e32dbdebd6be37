namespace FuncExec.Protocol.Connections;

/// <summary>
/// A connection broke the FuncExec protocol or could not be set up: the base of every error the
/// handshake and the transport raise. The connection it came from has been closed.
/// </summary>
/// <remarks>
/// It derives from <see cref="IOException"/> so that code which already treats a broken
/// connection as an I/O failure keeps working; catch the sealed subtypes to tell the user
/// which side is misconfigured.
/// </remarks>
internal class PeerProtocolException : IOException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public PeerProtocolException()
        : base("the peer broke the FuncExec protocol")
    {
    }

    /// <summary>Creates the exception.</summary>
    public PeerProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the failure that caused it.</summary>
    public PeerProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
