using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FuncExec.Core.Tasks;

namespace FuncExec.Reporting.Internal;

/// <summary>Writes profile records as CSV lines (RFC 4180 quoting, <c>\n</c> line ends). Not thread-safe: the
/// recorder's one writer loop owns it.</summary>
internal sealed class ProfileRowWriter
{
    /// <summary>Errors written whole (stack and causes); later ones keep their type and message, so a run where
    /// every task fails does not write a stack per task.</summary>
    public const int ErrorsInFull = 1000;

    private readonly TextWriter _writer;
    private readonly ArrayBufferWriter<byte> _errorJson = new();
    private int _errorsWritten;

    // When each task was first queued, kept until it finishes: retries queue it again, but the
    // profile's queued_us is the first submission. The scheduler publishes batches from several
    // threads, so a task's TaskQueued can rarely arrive after its TaskFinished: that row has no
    // queued_us, and the late entry stays here (a few bytes) until the recorder is disposed.
    private readonly Dictionary<long, long> _firstQueued = [];

    public ProfileRowWriter(TextWriter writer)
    {
        _writer = writer;
    }

    /// <summary>Tasks queued and not yet finished.</summary>
    public int Pending => _firstQueued.Count;

    public void WriteHeader()
    {
        _writer.Write(ProfileCsv.Header);
        _writer.Write('\n');
    }

    public void Write(ClusterEvent e)
    {
        switch (e.Kind)
        {
            case ClusterEventKind.TaskQueued:
                _firstQueued.TryAdd(e.TaskId, UnixTime.ToMicroseconds(e.Time));
                break;
            case ClusterEventKind.TaskFinished:
                WriteTask(e);
                break;
            case ClusterEventKind.WorkerStarted:
                WriteWorker(e);
                break;
            case ClusterEventKind.WorkerDied:
                WriteWorkerDied(e);
                break;
            default:
                // Node and computation events are not part of the profile: the worker rows already
                // name every slot, and the report is about tasks and workers.
                break;
        }
    }

    public void WriteSample(long timeUs, ProfileSample sample)
    {
        _writer.Write(ProfileCsv.SampleRecord);
        Comma();
        Number(timeUs);
        Commas(ProfileCsv.BusyWorkers - ProfileCsv.TimeUs);
        Number(sample.BusyWorkers);
        Comma();
        Number(sample.Workers);
        Comma();
        Number(sample.Queued);
        Comma();
        Number(sample.Completed);
        Comma();
        _writer.Write('\n');
    }

    private void WriteTask(ClusterEvent e)
    {
        var finishedUs = UnixTime.ToMicroseconds(e.Finished ?? e.Time);
        _firstQueued.Remove(e.TaskId, out var queuedUs);
        _writer.Write(ProfileCsv.TaskRecord);
        Comma();
        Number(finishedUs);
        Comma();
        Number(e.TaskId);
        Comma();
        Text(e.Name);
        Comma();
        Number(e.Computation);
        Comma();
        Text(e.Worker);
        Comma();
        _writer.Write(ProfileCsv.FormatCores(e.Cores));
        Comma();
        _writer.Write((e.State ?? TaskState.Failed).ToName());
        Comma();
        Number(e.Attempt);
        Comma();
        OptionalNumber(queuedUs);
        Comma();
        OptionalNumber(UnixTime.ToMicroseconds(e.Started));
        Comma();
        Number(finishedUs);
        Commas(ProfileCsv.Error - ProfileCsv.FinishedUs);
        if (e.Error is { } error)
        {
            Text(ErrorJson(error));
        }

        _writer.Write('\n');
    }

    private void WriteWorker(ClusterEvent e)
    {
        _writer.Write(ProfileCsv.WorkerRecord);
        Comma();
        Number(UnixTime.ToMicroseconds(e.Time));
        Commas(ProfileCsv.Worker - ProfileCsv.TimeUs);
        Text(e.Worker);
        Comma();
        // A remote event without its core has none: leave the field empty rather than write a core that is not.
        if (e.Cores.Count > 0)
        {
            Number(e.Cores[0]);
        }

        Commas(ProfileCsv.Error - ProfileCsv.Cores);
        _writer.Write('\n');
    }

    private void WriteWorkerDied(ClusterEvent e)
    {
        _writer.Write(ProfileCsv.WorkerDiedRecord);
        Comma();
        Number(UnixTime.ToMicroseconds(e.Time));
        Commas(ProfileCsv.Worker - ProfileCsv.TimeUs);
        Text(e.Worker);
        Commas(ProfileCsv.Status - ProfileCsv.Worker);
        Text(e.Reason);
        Commas(ProfileCsv.Error - ProfileCsv.Status);
        _writer.Write('\n');
    }

    /// <summary>The error field: the error as <c>funcexec run</c> writes it, its texts cut to <see cref="RemoteErrorBounds"/>.</summary>
    private string ErrorJson(RemoteError error)
    {
        var bounded = RemoteErrorBounds.BoundAll(error);
        if (++_errorsWritten > ErrorsInFull)
        {
            bounded = new RemoteError(bounded.Type, bounded.Message, Retryable: bounded.Retryable);
        }

        _errorJson.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(_errorJson))
        {
            TaskReportJson.WriteError(json, bounded);
        }

        // The JSON escapes line breaks, so the row stays one line.
        return Encoding.UTF8.GetString(_errorJson.WrittenSpan);
    }

    private void Comma() => _writer.Write(',');

    private void Commas(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _writer.Write(',');
        }
    }

    private void Number(long value)
    {
        Span<char> digits = stackalloc char[20];
        value.TryFormat(digits, out var written, provider: CultureInfo.InvariantCulture);
        _writer.Write(digits[..written]);
    }

    // 0 is the wire's "none" for times; the profile leaves the field empty instead.
    private void OptionalNumber(long value)
    {
        if (value != 0)
        {
            Number(value);
        }
    }

    private void Text(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (!ProfileCsv.NeedsQuotes(value))
        {
            _writer.Write(value);
            return;
        }

        _writer.Write('"');
        foreach (var c in value)
        {
            if (c == '"')
            {
                _writer.Write('"');
            }

            _writer.Write(c);
        }

        _writer.Write('"');
    }
}
