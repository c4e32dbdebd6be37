using FuncExec.Protocol.Connections;

namespace FuncExec.Hosting.Internal;

/// <summary>The secret and TLS files of a role's options, as <c>funcexec</c> reads them.</summary>
internal static class Security
{
    /// <summary>The secret (given, else read from its file, else <c>$FUNCEXEC_SECRET</c>) and the TLS files.</summary>
    public static TransportSecurity From(string? secret, string? secretFile, string? certFile, string? keyFile) => new()
    {
        Secret = (string.IsNullOrEmpty(secret) ? null : secret)
            ?? (string.IsNullOrEmpty(secretFile) ? null : SchedulerStateFolder.ReadSecretFile(Path.GetFullPath(secretFile)))
            ?? Environment.GetEnvironmentVariable("FUNCEXEC_SECRET"),
        CertFile = string.IsNullOrEmpty(certFile) ? null : Path.GetFullPath(certFile),
        KeyFile = string.IsNullOrEmpty(keyFile) ? null : Path.GetFullPath(keyFile),
    };
}
