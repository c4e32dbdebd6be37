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

    [LoggerMessage(212, LogLevel.Information, "node {Node} is draining: it takes no more work and leaves once its running tasks end")]
    public static partial void NodeDraining(ILogger logger, string node);

    [LoggerMessage(213, LogLevel.Information, "node {Node} drained and left; tasks it still ran are queued again without using an attempt")]
    public static partial void NodeLeft(ILogger logger, string node);

    [LoggerMessage(214, LogLevel.Information, "scaling, by client {Client}: {Text}")]
    public static partial void Scaling(ILogger logger, string client, string text);

    [LoggerMessage(204, LogLevel.Information, "client {Client} connected from {Remote}")]
    public static partial void ClientJoined(ILogger logger, string client, string remote);

    [LoggerMessage(205, LogLevel.Information, "client {Client} left ({Reason}); dropped {Dropped} queued tasks")]
    public static partial void ClientLeft(ILogger logger, string client, string reason, int dropped);

    [LoggerMessage(206, LogLevel.Warning, "discovery responder stopped: {Reason}")]
    public static partial void DiscoveryStopped(ILogger logger, string reason);

    [LoggerMessage(207, LogLevel.Warning, "client {Client}: refused component {Component}: {Reason}")]
    public static partial void ComponentRefused(ILogger logger, string client, string component, string reason);

    [LoggerMessage(209, LogLevel.Warning, "client {Client}: refused a computation: {Reason}")]
    public static partial void ComputationRefused(ILogger logger, string client, string reason);

    [LoggerMessage(210, LogLevel.Warning, "client {Client}: refused a submission: {Reason}")]
    public static partial void SubmitRefused(ILogger logger, string client, string reason);

    [LoggerMessage(211, LogLevel.Error, "node {Node}: component {Component} cannot be sent: {Reason}; its tasks will fail on the node")]
    public static partial void ComponentNotSent(ILogger logger, string node, string component, string reason);

    [LoggerMessage(208, LogLevel.Warning, "discovery is off: UDP port {Port} is in use (another scheduler on this machine?); nodes must be given --scheduler, or choose a free port with --udp-port")]
    public static partial void DiscoveryPortInUse(ILogger logger, int port);

    [LoggerMessage(230, LogLevel.Warning, "refused a connection from {Remote}: {Reason} (and {Suppressed} more like it from {Address} in the last {Seconds} s)")]
    public static partial void RefusedRepeatedly(ILogger logger, string remote, string reason, long suppressed, string address, int seconds);

    [LoggerMessage(231, LogLevel.Information, "client {Client} connected from {Remote} (and {Suppressed} more client connections from {Address} in the last {Seconds} s)")]
    public static partial void ClientJoinedRepeatedly(ILogger logger, string client, string remote, long suppressed, string address, int seconds);

    [LoggerMessage(232, LogLevel.Information, "client {Client} left ({Reason}); dropped {Dropped} queued tasks (and {Suppressed} more clients from {Address} left in the last {Seconds} s)")]
    public static partial void ClientLeftRepeatedly(ILogger logger, string client, string reason, int dropped, long suppressed, string address, int seconds);

    [LoggerMessage(220, LogLevel.Warning, "node {Node} at {Remote}: dropped its {Kind}, which does not fit its role: {Reason}; more like it are dropped and counted in status, not logged again")]
    public static partial void NodeReportDropped(ILogger logger, string node, string remote, string kind, string reason);

    [LoggerMessage(221, LogLevel.Warning, "client {Client} at {Remote}: refused its {Kind}: {Reason}; more like it are refused and counted in status, not logged again")]
    public static partial void ClientRequestRefused(ILogger logger, string client, string remote, string kind, string reason);

    [LoggerMessage(222, LogLevel.Information, "client {Client} at {Remote}: administrative kill of task {Task}: {Outcome}")]
    public static partial void AdministrativeKill(ILogger logger, string client, string remote, long task, string outcome);

    [LoggerMessage(240, LogLevel.Information, "no --secret given: {Action} the cluster secret in {Path}; this user's nodes and clients on this machine find it there, other hosts need it as --secret-file, --secret or FUNCEXEC_SECRET")]
    public static partial void SecretFile(ILogger logger, string action, string path);

    [LoggerMessage(241, LogLevel.Information, "no --certfile given: {Action} the TLS certificate {CertFile} (SHA-256 {Fingerprint}); peers beyond loopback must use TLS, and the handshake ties it to the secret")]
    public static partial void CertificateFile(ILogger logger, string action, string certFile, string fingerprint);

    [LoggerMessage(242, LogLevel.Warning, "INSECURE (--insecure): no cluster secret; anyone who can reach {Endpoint} can run any command as user {User} and join as a node, and traffic from anywhere may be plain text")]
    public static partial void Insecure(ILogger logger, string endpoint, string user);

    [LoggerMessage(250, LogLevel.Information, "journal {Journal}: {Clients} clients waiting to reattach, {Requeued} unfinished tasks queued again, {Failed} failed (no retries left after the restart), {Reports} reports to deliver; task ids continue from {NextId}")]
    public static partial void JournalLoaded(ILogger logger, string journal, int clients, int requeued, int failed, int reports, long nextId);

    [LoggerMessage(251, LogLevel.Information, "client {Client} ({Token}…) at {Remote} reattached; {Kept} reports kept for it")]
    public static partial void ClientReattached(ILogger logger, string client, string token, string remote, int kept);

    [LoggerMessage(252, LogLevel.Information, "client {Client} ({Token}…): a newer connection from {Remote} took over from the one at {Older}, which is closed")]
    public static partial void ClientReplaced(ILogger logger, string client, string token, string older, string remote);

    [LoggerMessage(253, LogLevel.Information, "client {Client} ({Token}…) did not reattach within {Seconds} s: gone, {Dropped} queued tasks dropped, its running tasks killed")]
    public static partial void ClientGone(ILogger logger, string client, string token, int seconds, int dropped);

    [LoggerMessage(254, LogLevel.Information, "journal: purged {Results} results older than the result retention")]
    public static partial void JournalPurged(ILogger logger, int results);

    [LoggerMessage(255, LogLevel.Warning, "journal: purging failed: {Reason}")]
    public static partial void JournalPurgeFailed(ILogger logger, string reason);

    [LoggerMessage(256, LogLevel.Information, "running without a journal (--no-journal): a restart loses queued tasks and undelivered results")]
    public static partial void NoJournal(ILogger logger);

    [LoggerMessage(259, LogLevel.Information, "journal: {Journal}; a submission is accepted once written there")]
    public static partial void Journal(ILogger logger, string journal);

    [LoggerMessage(257, LogLevel.Warning, "journal {Journal} is held by another scheduler ({Holder}): standing by until it is free")]
    public static partial void JournalStandingBy(ILogger logger, string journal, string holder);

    [LoggerMessage(258, LogLevel.Critical, "journal {Journal} can no longer be written ({Reason}): the scheduler stops serving, so a standby or a restart takes over from what the journal holds")]
    public static partial void JournalLost(ILogger logger, string journal, string reason);
}
