namespace FuncExec.Protocol;

/// <summary>The version of the FuncExec wire protocol this build speaks.</summary>
internal static class ProtocolVersion
{
    /// <summary>Bumped on every incompatible change; peers with another version are refused.</summary>
    /// <remarks>2: the handshake's proofs cover the TLS channel binding. 3: a submission names its computation once
    /// (SubmitTasks.computation), every request carries an id its answer echoes, and the Welcome gives a client
    /// the scheduler's frame cap. 4: a node says in its WorkerLost that its warm spare already took the worker's place
    /// (WorkerLost.replaced), and sends no WorkerReady after it.</remarks>
    public const uint Current = 4;
}
