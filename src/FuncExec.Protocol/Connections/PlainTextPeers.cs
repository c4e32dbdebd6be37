namespace FuncExec.Protocol.Connections;

/// <summary>Which peers a scheduler that serves TLS still lets connect in plain text.</summary>
internal enum PlainTextPeers
{
    /// <summary>None: every peer must use TLS (the operator brought <c>--certfile</c>).</summary>
    None,

    /// <summary>
    /// Peers at a loopback address, that is processes of this machine: their traffic never leaves
    /// it. Every other peer must use TLS. The default of a scheduler with a generated certificate.
    /// </summary>
    Loopback,

    /// <summary>Any peer (<c>--insecure</c>).</summary>
    Any,
}
