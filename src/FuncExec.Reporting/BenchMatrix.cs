namespace FuncExec.Reporting;

/// <summary>The result of <c>funcexec bench</c>: throughput for every pair of a workers count and a clients count.</summary>
internal sealed record BenchMatrix
{
    /// <summary>What ran the tasks, e.g. <c>embedded cluster</c> or <c>scheduler at host:9700</c>.</summary>
    public required string Cluster { get; init; }

    /// <summary>The task each cell ran, e.g. <c>noop</c> or <c>spin:10</c>.</summary>
    public required string Task { get; init; }

    /// <summary>Tasks per cell, split across its clients.</summary>
    public required int TasksPerCell { get; init; }

    /// <summary>Runs per cell; a cell reports its median run.</summary>
    public int Repeat { get; init; } = 1;

    /// <summary>Cores of the machine that ran the benchmark.</summary>
    public int Cores { get; init; } = Environment.ProcessorCount;

    /// <summary>When the benchmark started.</summary>
    public DateTimeOffset Started { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>The cells, in the order they ran.</summary>
    public required IReadOnlyList<BenchCell> Cells { get; init; }

    /// <summary>The workers counts of the cells, ascending.</summary>
    public IReadOnlyList<int> Workers => [.. Cells.Select(c => c.Workers).Distinct().Order()];

    /// <summary>The clients counts of the cells, ascending.</summary>
    public IReadOnlyList<int> Clients => [.. Cells.Select(c => c.Clients).Distinct().Order()];

    /// <summary>The cell for <paramref name="workers"/> and <paramref name="clients"/>, or null when it did not run.</summary>
    public BenchCell? Cell(int workers, int clients) => Cells.FirstOrDefault(c => c.Workers == workers && c.Clients == clients);
}
