namespace FuncExec.Protocol.Requests;

/// <summary>A connection already has as many requests waiting for replies as it may hold; wait for some of them
/// to be answered before sending more.</summary>
internal sealed class RequestLimitExceededException : InvalidOperationException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public RequestLimitExceededException()
        : base("too many requests wait for their replies on this connection; wait for some to be answered before sending more")
    {
    }

    /// <summary>Creates the exception for a connection that holds at most <paramref name="limit"/> requests.</summary>
    public RequestLimitExceededException(int limit)
        : base($"{limit} requests already wait for their replies on this connection, the most it holds; wait for some to be answered before sending more")
    {
        Limit = limit;
    }

    /// <summary>Creates the exception.</summary>
    public RequestLimitExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the failure that caused it.</summary>
    public RequestLimitExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The most requests the connection holds.</summary>
    public int Limit { get; }
}
