using Microsoft.Extensions.Logging;

namespace FuncExec.Node;

internal static partial class NodeLog
{
    [LoggerMessage(100, LogLevel.Information, "node {Node}: starting {Workers} on {Cores}")]
    public static partial void Starting(ILogger logger, string node, string workers, string cores);

    [LoggerMessage(101, LogLevel.Warning, "node {Node}: {Workers} for {Cores}; cores are shared round-robin, so workers on one core slow each other down")]
    public static partial void Oversubscribed(ILogger logger, string node, string workers, string cores);

    [LoggerMessage(120, LogLevel.Warning, "node {Node}: asked to keep {KeptBack} back, but it has {Cores}; starting 1 worker")]
    public static partial void KeepsBackAll(ILogger logger, string node, string keptBack, string cores);

    [LoggerMessage(102, LogLevel.Debug, "worker {Worker} (pid {Pid}) on core {Core} is ready")]
    public static partial void WorkerReady(ILogger logger, int worker, int pid, int core);

    [LoggerMessage(122, LogLevel.Debug, "node {Node}: warm spare worker (pid {Pid}) is ready to take a dead worker's place")]
    public static partial void SpareReady(ILogger logger, string node, int pid);

    [LoggerMessage(103, LogLevel.Warning, "worker {Worker} (pid {Pid}) ended: {Reason}; starting a new one on core {Core}")]
    public static partial void WorkerEnded(ILogger logger, int worker, int pid, string reason, int core);

    [LoggerMessage(104, LogLevel.Warning, "task {TaskId} ran past its timeout of {Timeout}; killing worker {Worker}")]
    public static partial void TimedOut(ILogger logger, long taskId, string timeout, int worker);

    [LoggerMessage(105, LogLevel.Error, "worker {Worker} could not be started: {Reason}")]
    public static partial void SpawnFailed(ILogger logger, int worker, string reason);

    [LoggerMessage(106, LogLevel.Warning, "refused a connection on the worker socket: {Reason}")]
    public static partial void BadConnection(ILogger logger, string reason);

    [LoggerMessage(107, LogLevel.Debug, "worker {Worker}: {Line}")]
    public static partial void WorkerOutput(ILogger logger, int worker, string line);

    [LoggerMessage(110, LogLevel.Information, "node {Node}: joined scheduler {Scheduler} at {Address} (pulse every {Pulse})")]
    public static partial void Joined(ILogger logger, string node, string scheduler, string address, string pulse);

    [LoggerMessage(111, LogLevel.Warning, "node {Node}: cannot reach a scheduler ({Reason}); trying again in {Delay}")]
    public static partial void Retrying(ILogger logger, string node, string reason, string delay);

    [LoggerMessage(118, LogLevel.Warning, "node {Node}: {Attempts} attempts to reach a scheduler failed so far ({Reason}); trying again in {Delay}")]
    public static partial void StillRetrying(ILogger logger, string node, int attempts, string reason, string delay);

    [LoggerMessage(112, LogLevel.Warning, "node {Node}: lost the scheduler: {Reason}; reconnecting")]
    public static partial void LostScheduler(ILogger logger, string node, string reason);

    [LoggerMessage(113, LogLevel.Error, "node {Node}: refused component {Component}: {Reason}")]
    public static partial void ComponentRefused(ILogger logger, string node, string component, string reason);

    [LoggerMessage(114, LogLevel.Information, "node {Node}: {What}")]
    public static partial void Discovering(ILogger logger, string node, string what);

    [LoggerMessage(115, LogLevel.Error, "node {Node}: computation {Computation} needs component {Component}, which this node does not have (refused on arrival?); its tasks that use it will fail")]
    public static partial void ComponentMissing(ILogger logger, string node, string component, long computation);

    [LoggerMessage(116, LogLevel.Information, "task {TaskId} still runs {Grace} after it was cancelled; killing worker {WorkerId}")]
    public static partial void GraceExpired(ILogger logger, long taskId, string grace, int workerId);

    [LoggerMessage(117, LogLevel.Warning, "{Assembly}: {File}, which its deps.json lists, is neither beside it nor in a NuGet package folder (looked in {LookedIn}); it stays behind, and a task that needs it will fail to load it. Restore or publish the project so the file exists")]
    public static partial void DependencyNotFound(ILogger logger, string assembly, string file, string lookedIn);

    [LoggerMessage(119, LogLevel.Information, "worker {Worker} ended; killed {Count} processes its tasks had left running")]
    public static partial void OrphansEnded(ILogger logger, int worker, int count);

    [LoggerMessage(121, LogLevel.Error, "worker {Worker}: a frame it sent could not be handled; the worker is replaced")]
    public static partial void WorkerFrameFailed(ILogger logger, int worker, Exception exception);
}
