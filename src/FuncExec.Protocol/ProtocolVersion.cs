namespace FuncExec.Protocol;

/// <summary>The version of the FuncExec wire protocol this build speaks.</summary>
public static class ProtocolVersion
{
    /// <summary>Bumped on every incompatible change; peers with another version are refused.</summary>
    public const uint Current = 1;
}
