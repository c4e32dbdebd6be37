using System.Globalization;

namespace FuncExec.Slurm.Pilots;

/// <summary>
/// The names a pilot job gives things, in one place, since the batch script, <c>status</c> and
/// <c>--wait</c> must agree: the job's name and tag, its nodes' names, its log files.
/// </summary>
internal static class PilotNaming
{
    /// <summary>The job name of every pilot job, so <c>status</c> and <c>down</c> touch only these.</summary>
    public const string JobName = "funcexec-pilot";

    /// <summary>The start of every pilot job's comment: <c>funcexec-pilot scheduler=HOST:PORT logs=DIR</c>.</summary>
    public const string TagPrefix = "funcexec-pilot scheduler=";

    private const string LogsKey = " logs=";

    /// <summary>A node's name: its host's name in the manager, a dash, the job id (<c>cn17-4242</c>), unique across jobs sharing a host.</summary>
    public static string NodeName(string host, string jobId) => $"{host}-{jobId}";

    /// <summary>The job's own log, <c>DIR/pilot-JOBID.log</c>.</summary>
    public static string JobLog(string directory, string jobId) => Path.Combine(directory, $"pilot-{jobId}.log");

    /// <summary>A node's log, <c>DIR/pilot-JOBID-HOST.log</c>.</summary>
    public static string NodeLog(string directory, string jobId, string host) => Path.Combine(directory, $"pilot-{jobId}-{host}.log");

    /// <summary>The comment that tags a pilot job with its scheduler and its log folder.</summary>
    public static string Tag(string scheduler, string logDirectory) => TagPrefix + scheduler + LogsKey + logDirectory;

    /// <summary>Reads a tag back; false for a comment that is not one.</summary>
    public static bool TryParseTag(string comment, out string scheduler, out string logDirectory)
    {
        scheduler = logDirectory = "";
        if (!comment.StartsWith(TagPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = comment[TagPrefix.Length..];
        var logs = rest.IndexOf(LogsKey, StringComparison.Ordinal);
        if (logs <= 0)
        {
            return false;
        }

        scheduler = rest[..logs];
        logDirectory = rest[(logs + LogsKey.Length)..];
        return logDirectory.Length > 0;
    }

    /// <summary>Whole seconds, for the manager's options.</summary>
    public static string Seconds(TimeSpan duration) =>
        ((long)Math.Ceiling(duration.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
