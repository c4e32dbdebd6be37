namespace FuncExec.Cli.Bench;

/// <summary>What <c>funcexec bench</c> measures: the embedded cluster or a scheduler's cluster.</summary>
internal interface IBenchTarget : IAsyncDisposable
{
    /// <summary>For the output: <c>embedded cluster</c>, <c>cluster of the scheduler at host:port</c>.</summary>
    string Description { get; }

    /// <summary>Makes the next cells run on <paramref name="workers"/> workers, and warms them up with
    /// <paramref name="clients"/> clients (untimed).</summary>
    Task<CellRun> UseWorkersAsync(int workers, int clients, CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="tasks"/> tasks split across <paramref name="clients"/> concurrent clients and
    /// checks every result; the wall time runs from the first submission to the last result.</summary>
    Task<CellRun> RunCellAsync(int clients, int tasks, CancellationToken cancellationToken);
}
