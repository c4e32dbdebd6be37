namespace FuncExec.Protocol.Connections;

/// <summary>One side uses TLS and the other does not; the message says which flag to add or drop.</summary>
internal sealed class TlsMismatchException : PeerProtocolException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public TlsMismatchException()
        : base("one side uses TLS and the other does not")
    {
    }

    /// <summary>Creates the exception.</summary>
    public TlsMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the failure that caused it.</summary>
    public TlsMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
