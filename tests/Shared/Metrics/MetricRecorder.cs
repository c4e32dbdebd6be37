using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace FuncExec.Tests.Metrics;

/// <summary>Records what the <c>FuncExec</c> meters measure while it lives, through a <see cref="MeterListener"/>:
/// the instruments' own numbers, with no exporter between.</summary>
/// <remarks>The instruments are process-wide, so tests that count exactly run in <see cref="MetricsTests"/>,
/// apart from the tests running in parallel.</remarks>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Recorded> _recorded = new();

    public MetricRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "FuncExec")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The sum of what <paramref name="instrument"/> measured, of measurements whose tag <paramref name="key"/> is <paramref name="value"/> when given.</summary>
    public double Sum(string instrument, string? key = null, string? value = null) =>
        Matching(instrument, key, value).Sum(r => r.Value);

    /// <summary>How many measurements <paramref name="instrument"/> made (records of a histogram), filtered as <see cref="Sum"/>.</summary>
    public int Count(string instrument, string? key = null, string? value = null) =>
        Matching(instrument, key, value).Count();

    /// <summary>Has the observable instruments (gauges) measure now.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    public void Dispose() => _listener.Dispose();

    private IEnumerable<Recorded> Matching(string instrument, string? key, string? value) =>
        _recorded.Where(r => r.Instrument == instrument && (key is null || r.Tags.Any(t => t.Key == key && Equals(t.Value?.ToString(), value))));

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _recorded.Enqueue(new Recorded(instrument.Name, value, tags.ToArray()));

    private sealed record Recorded(string Instrument, double Value, KeyValuePair<string, object?>[] Tags);
}
