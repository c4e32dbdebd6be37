namespace FuncExec.Protocol.Connections;

/// <summary>The two sides speak different protocol versions, or one refused the other's role; the message says which side to upgrade.</summary>
internal sealed class ProtocolMismatchException : PeerProtocolException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public ProtocolMismatchException()
        : base("the two sides speak different FuncExec protocol versions")
    {
    }

    /// <summary>Creates the exception.</summary>
    public ProtocolMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the failure that caused it.</summary>
    public ProtocolMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
