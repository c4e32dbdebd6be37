namespace FuncExec.Protocol;

/// <summary>
/// How much a warm spare is asked to prepare ahead of need (<c>PrepareComputation</c>): the node remembers and sends no
/// more than this, and the worker holds and does no more than this, whatever a frame says.
/// </summary>
internal static class PreparationLimits
{
    /// <summary>Assemblies, and as many lambda calls, per computation.</summary>
    public const int MaxCallsPerComputation = 16;

    /// <summary>Open computations prepared for.</summary>
    public const int MaxComputations = 64;
}
