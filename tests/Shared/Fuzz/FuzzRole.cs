namespace FuncExec.Tests.Fuzz;

/// <summary>What a fuzzing connection is to the scheduler.</summary>
internal enum FuzzRole
{
    /// <summary>A stranger: hostile frames where the Hello should be, never authenticated.</summary>
    Stranger,

    /// <summary>A client that completed the real handshake, then sends hostile frames.</summary>
    Client,

    /// <summary>A node that completed the real handshake, then sends hostile frames.</summary>
    Node,
}
