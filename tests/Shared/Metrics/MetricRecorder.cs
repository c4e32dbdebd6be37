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
    private readonly Lock _observeLock = new();
    private readonly List<Recorded> _baseline;
    private List<Recorded>? _observing;

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
        _baseline = ObserveNow();
    }

    /// <summary>The sum of what <paramref name="instrument"/> measured, of measurements whose tag <paramref name="key"/> is <paramref name="value"/> when given.</summary>
    public double Sum(string instrument, string? key = null, string? value = null) =>
        Matching(instrument, key, value).Sum(r => r.Value);

    /// <summary>How many measurements <paramref name="instrument"/> made (records of a histogram), filtered as <see cref="Sum"/>.</summary>
    public int Count(string instrument, string? key = null, string? value = null) =>
        Matching(instrument, key, value).Count();

    /// <summary>How much the observable counter <paramref name="instrument"/> (a process-wide total) grew since this
    /// recorder started, filtered as <see cref="Sum"/>.</summary>
    public double Delta(string instrument, string? key = null, string? value = null) =>
        Total(ObserveNow(), instrument, key, value) - Total(_baseline, instrument, key, value);

    /// <summary>What the observable gauge <paramref name="instrument"/> reads now, summed over its measurements filtered as <see cref="Sum"/>.</summary>
    public double Current(string instrument, string? key = null, string? value = null) =>
        Total(ObserveNow(), instrument, key, value);

    public void Dispose() => _listener.Dispose();

    private static double Total(IEnumerable<Recorded> observed, string instrument, string? key, string? value) =>
        observed.Where(r => Matches(r, instrument, key, value)).Sum(r => r.Value);

    private static bool Matches(Recorded r, string instrument, string? key, string? value) =>
        r.Instrument == instrument && (key is null || r.Tags.Any(t => t.Key == key && Equals(t.Value?.ToString(), value)));

    private IEnumerable<Recorded> Matching(string instrument, string? key, string? value) =>
        _recorded.Where(r => Matches(r, instrument, key, value));

    // Observable instruments answer on the thread that asks, inside RecordObservableInstruments.
    private List<Recorded> ObserveNow()
    {
        lock (_observeLock)
        {
            _observing = [];
            _listener.RecordObservableInstruments();
            var observed = _observing;
            _observing = null;
            return observed;
        }
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var recorded = new Recorded(instrument.Name, value, tags.ToArray());
        if (instrument.IsObservable)
        {
            _observing?.Add(recorded);
        }
        else
        {
            _recorded.Enqueue(recorded);
        }
    }

    private sealed record Recorded(string Instrument, double Value, KeyValuePair<string, object?>[] Tags);
}
