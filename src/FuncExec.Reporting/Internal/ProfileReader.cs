using System.Globalization;
using System.Text.Json;
using FuncExec.Core.Tasks;

namespace FuncExec.Reporting.Internal;

/// <summary>Parses a profile CSV (the format <see cref="ProfileRecorder"/> writes) into its records, with an error
/// naming the file and line for anything malformed.</summary>
/// <remarks>
/// Forward compatible on purpose: columns after the known ones and record kinds it does not know are skipped, so
/// a newer recorder's file still reads. Backward compatible too: the <c>error</c> column, added after the first
/// sixteen, is read when the header has it. A last line without a line break that does not parse is taken as cut
/// short by a killed run and skipped; anywhere else the same problem is an error.
/// </remarks>
internal sealed class ProfileReader
{
    private static readonly Dictionary<string, TaskState> States =
        Enum.GetValues<TaskState>().ToDictionary(s => s.ToName(), StringComparer.Ordinal);

    private readonly string _source;
    private readonly CsvRecordReader _csv;
    private readonly List<ProfileTaskRow> _tasks = [];
    private readonly List<ProfileSampleRow> _samples = [];
    private readonly List<ProfileWorkerRow> _workers = [];
    private int _line;
    private bool _hasErrors;

    private ProfileReader(TextReader reader, string source)
    {
        _source = source;
        _csv = new CsvRecordReader(reader, source);
    }

    /// <summary>Reads the profile at <paramref name="path"/>; errors name it as given.</summary>
    public static Profile Read(string path)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        return Parse(reader, path);
    }

    /// <summary>Parses profile text; <paramref name="source"/> names it in errors.</summary>
    public static Profile Parse(TextReader reader, string source) => new ProfileReader(reader, source).Parse();

    private Profile Parse()
    {
        var fields = new List<string>(ProfileCsv.Columns.Length);
        if (!_csv.TryRead(fields))
        {
            throw new ProfileFormatException(_source, 0, $"the file is empty; a profile starts with the header '{ProfileCsv.Header}'");
        }

        CheckHeader(fields);
        var columns = fields.Count;
        while (_csv.TryRead(fields))
        {
            _line = _csv.RecordLine;
            try
            {
                if (fields.Count != columns)
                {
                    throw Error($"expected {columns} fields as in the header, found {fields.Count}");
                }

                ParseRecord(fields);
            }
            catch (ProfileFormatException) when (!_csv.RecordTerminated)
            {
                // The run was killed while the recorder was writing its last line: keep what came before.
                break;
            }
        }

        return new Profile(_source, _tasks, _samples, _workers);
    }

    private void CheckHeader(List<string> fields)
    {
        _line = _csv.RecordLine;
        for (var i = 0; i < ProfileCsv.RequiredColumns; i++)
        {
            if (i >= fields.Count || fields[i] != ProfileCsv.Columns[i])
            {
                var found = i < fields.Count ? $"'{fields[i]}'" : "nothing";
                throw Error($"not a FuncExec profile: column {i + 1} of the header should be '{ProfileCsv.Columns[i]}', found {found}; "
                    + $"the header is '{ProfileCsv.Header}'");
            }
        }

        _hasErrors = fields.Count > ProfileCsv.Error && fields[ProfileCsv.Error] == ProfileCsv.Columns[ProfileCsv.Error];
    }

    private void ParseRecord(List<string> f)
    {
        switch (f[ProfileCsv.Record])
        {
            case ProfileCsv.TaskRecord:
                Required(f, ProfileCsv.TimeUs);
                var finished = Required(f, ProfileCsv.FinishedUs);
                var started = Optional(f, ProfileCsv.StartedUs);
                if (started > finished)
                {
                    throw Error($"started_us {started} is after finished_us {finished}");
                }

                _tasks.Add(new ProfileTaskRow(
                    _line,
                    Required(f, ProfileCsv.TaskId),
                    f[ProfileCsv.Name],
                    Optional(f, ProfileCsv.Computation) ?? 0,
                    f[ProfileCsv.Worker],
                    Cores(f),
                    Status(f),
                    (int)Range(Optional(f, ProfileCsv.Attempts) ?? 0, ProfileCsv.Attempts),
                    Optional(f, ProfileCsv.QueuedUs),
                    started,
                    finished,
                    TaskError(f)));
                break;
            case ProfileCsv.SampleRecord:
                _samples.Add(new ProfileSampleRow(
                    Required(f, ProfileCsv.TimeUs),
                    (int)Range(Required(f, ProfileCsv.BusyWorkers), ProfileCsv.BusyWorkers),
                    (int)Range(Required(f, ProfileCsv.Workers), ProfileCsv.Workers),
                    (int)Range(Required(f, ProfileCsv.Queued), ProfileCsv.Queued),
                    Required(f, ProfileCsv.Completed)));
                break;
            case ProfileCsv.WorkerRecord:
                _workers.Add(new ProfileWorkerRow(Required(f, ProfileCsv.TimeUs), Worker(f), Cores(f) is [var core, ..] ? core : null, Died: false, string.Empty));
                break;
            case ProfileCsv.WorkerDiedRecord:
                _workers.Add(new ProfileWorkerRow(Required(f, ProfileCsv.TimeUs), Worker(f), null, Died: true, f[ProfileCsv.Status]));
                break;
            case "":
                throw Error("the record kind (first field) is empty; expected task, sample, worker or worker-died");
            default:
                // A kind a newer recorder writes: skip it (see the remarks).
                break;
        }
    }

    private string Worker(List<string> f) =>
        f[ProfileCsv.Worker] is { Length: > 0 } worker ? worker : throw Error($"a {f[ProfileCsv.Record]} record needs the worker's name");

    private TaskState Status(List<string> f) =>
        States.TryGetValue(f[ProfileCsv.Status], out var state)
            ? state
            : throw Error($"status '{f[ProfileCsv.Status]}' is not one of {string.Join(", ", States.Keys)}");

    private RemoteError? TaskError(List<string> f)
    {
        if (!_hasErrors || f[ProfileCsv.Error] is not { Length: > 0 } text)
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(text);
            // Cut as it is read: the file may have been written or edited by anything.
            return RemoteErrorBounds.BoundAll(TaskReportJson.ReadError(json.RootElement));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw Error($"error should be a JSON object {{\"type\",\"message\"[,\"stack\"][,\"inner\"]}}: {ex.Message}");
        }
    }

    private int[] Cores(List<string> f)
    {
        var text = f[ProfileCsv.Cores];
        if (text.Length == 0)
        {
            return [];
        }

        var parts = text.Split(';');
        var cores = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out cores[i]))
            {
                throw Error($"cores '{text}' should be core numbers separated by ';', like 0;1");
            }
        }

        return cores;
    }

    private long Required(List<string> f, int column) =>
        Optional(f, column) ?? throw Error($"{ProfileCsv.Columns[column]} is empty; a {f[ProfileCsv.Record]} record needs it");

    private long? Optional(List<string> f, int column)
    {
        var text = f[column];
        if (text.Length == 0)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw Error($"{ProfileCsv.Columns[column]} '{text}' is not a whole number of 0 or more");
    }

    private long Range(long value, int column) =>
        value <= int.MaxValue ? value : throw Error($"{ProfileCsv.Columns[column]} {value} is too large");

    private ProfileFormatException Error(string problem) => new(_source, _line, problem);
}
