namespace FuncExec.Scheduler.Resources;

/// <summary>How long each function took recently, in microseconds: an average that follows change quickly.</summary>
internal sealed class DurationEstimates
{
    private const double Weight = 0.5;
    private readonly Dictionary<string, double> _byFunction = new(StringComparer.Ordinal);

    /// <summary>The estimate for <paramref name="function"/>, or NaN before its first result.</summary>
    public double Estimate(string function) => _byFunction.TryGetValue(function, out var us) ? us : double.NaN;

    public void Record(string function, double microseconds)
    {
        _byFunction[function] = _byFunction.TryGetValue(function, out var previous)
            ? (Weight * microseconds) + ((1 - Weight) * previous)
            : microseconds;
    }
}
