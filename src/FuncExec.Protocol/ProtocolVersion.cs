namespace FuncExec.Protocol;

/// <summary>The version of the FuncExec wire protocol this build speaks.</summary>
internal static class ProtocolVersion
{
    /// <summary>Bumped on every incompatible change; peers with another version are refused.</summary>
    /// <remarks>2: the handshake's proofs cover the TLS channel binding. 3: a submission names its computation once
    /// (SubmitTasks.computation), every request carries an id its answer echoes, and the Welcome gives a client
    /// the scheduler's frame cap.</remarks>
    public const uint Current = 3;
}
