using Microsoft.Extensions.Logging;

namespace FuncExec.Server;

internal static partial class ServerLog
{
    [LoggerMessage(200, LogLevel.Information, "scheduler {Name} listening on {Endpoint} (TLS: {Tls}, discovery: {Discovery})")]
    public static partial void Listening(ILogger logger, string name, string endpoint, string tls, string discovery);

    [LoggerMessage(201, LogLevel.Warning, "refused a connection from {Remote}: {Reason}")]
    public static partial void Refused(ILogger logger, string remote, string reason);

    [LoggerMessage(202, LogLevel.Information, "node {Node} joined from {Remote} with {Workers} workers")]
    public static partial void NodeJoined(ILogger logger, string node, string remote, int workers);

    [LoggerMessage(203, LogLevel.Warning, "node {Node} lost: {Reason}")]
    public static partial void NodeLost(ILogger logger, string node, string reason);

    [LoggerMessage(204, LogLevel.Information, "client {Client} connected from {Remote}")]
    public static partial void ClientJoined(ILogger logger, string client, string remote);

    [LoggerMessage(205, LogLevel.Information, "client {Client} left ({Reason}); dropped {Dropped} queued tasks")]
    public static partial void ClientLeft(ILogger logger, string client, string reason, int dropped);

    [LoggerMessage(206, LogLevel.Warning, "discovery responder stopped: {Reason}")]
    public static partial void DiscoveryStopped(ILogger logger, string reason);

    [LoggerMessage(207, LogLevel.Warning, "client {Client}: refused component {Component}: {Reason}")]
    public static partial void ComponentRefused(ILogger logger, string client, string component, string reason);

    [LoggerMessage(208, LogLevel.Warning, "discovery is off: UDP port {Port} is in use (another scheduler on this machine?); nodes must be given --scheduler, or choose a free port with --udp-port")]
    public static partial void DiscoveryPortInUse(ILogger logger, int port);

    [LoggerMessage(240, LogLevel.Information, "no --secret given: {Action} the cluster secret in {Path}; this user's nodes and clients on this machine find it there, other hosts need it as --secret-file, --secret or FUNCEXEC_SECRET")]
    public static partial void SecretFile(ILogger logger, string action, string path);

    [LoggerMessage(241, LogLevel.Information, "no --certfile given: {Action} the TLS certificate {CertFile} (SHA-256 {Fingerprint}); peers beyond loopback must use TLS, and the handshake ties it to the secret")]
    public static partial void CertificateFile(ILogger logger, string action, string certFile, string fingerprint);

    [LoggerMessage(242, LogLevel.Warning, "INSECURE (--insecure): no cluster secret; anyone who can reach {Endpoint} can run any command as user {User} and join as a node, and traffic from anywhere may be plain text")]
    public static partial void Insecure(ILogger logger, string endpoint, string user);
}
