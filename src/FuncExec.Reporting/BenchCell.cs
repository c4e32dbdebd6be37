namespace FuncExec.Reporting;

/// <summary>One cell of a benchmark matrix: <paramref name="Tasks"/> tasks run by <paramref name="Clients"/>
/// concurrent clients on <paramref name="Workers"/> workers, all finished in <paramref name="Seconds"/> of wall time.</summary>
/// <param name="Workers">Workers the tasks ran on.</param>
/// <param name="Clients">Clients submitting at once, each its share of the tasks.</param>
/// <param name="Tasks">Tasks completed in the cell (all clients together).</param>
/// <param name="Seconds">Wall time from the first submission to the last result.</param>
internal sealed record BenchCell(int Workers, int Clients, int Tasks, double Seconds)
{
    /// <summary>Tasks completed per second of wall time.</summary>
    public double TasksPerSecond => Seconds > 0 ? Tasks / Seconds : 0;
}
