using System.Globalization;

namespace FuncExec.Reporting.Internal;

/// <summary>The profile CSV's columns and record kinds, shared by the recorder and the reader.</summary>
/// <remarks>The README's "Profiles and reports" section is the user's copy of this format; change both together.</remarks>
internal static class ProfileCsv
{
    public const string TaskRecord = "task";
    public const string SampleRecord = "sample";
    public const string WorkerRecord = "worker";
    public const string WorkerDiedRecord = "worker-died";

    public const int Record = 0;
    public const int TimeUs = 1;
    public const int TaskId = 2;
    public const int Name = 3;
    public const int Computation = 4;
    public const int Worker = 5;
    public const int Cores = 6;
    public const int Status = 7;
    public const int Attempts = 8;
    public const int QueuedUs = 9;
    public const int StartedUs = 10;
    public const int FinishedUs = 11;
    public const int BusyWorkers = 12;
    public const int Workers = 13;
    public const int Queued = 14;
    public const int Completed = 15;

    /// <summary>A task row's error as JSON; a later column than the first sixteen, so files without it still read.</summary>
    public const int Error = 16;

    /// <summary>The columns every profile has, from the first version on.</summary>
    public const int RequiredColumns = 16;

    public static readonly string[] Columns =
    [
        "record", "time_us", "task_id", "name", "computation", "worker", "cores", "status", "attempts",
        "queued_us", "started_us", "finished_us", "busy_workers", "workers", "queued", "completed", "error",
    ];

    public static readonly string Header = string.Join(',', Columns);

    /// <summary>Cores as the profile writes them: <c>0;1</c>.</summary>
    public static string FormatCores(IReadOnlyList<int> cores) =>
        string.Join(';', cores.Select(c => c.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Whether a field must be quoted (RFC 4180): it holds a comma, a quote or a line break,
    /// or starts or ends with a space a spreadsheet might trim.</summary>
    public static bool NeedsQuotes(ReadOnlySpan<char> field) =>
        field.IndexOfAny(",\"\r\n") >= 0 || (field.Length > 0 && (field[0] == ' ' || field[^1] == ' '));
}
