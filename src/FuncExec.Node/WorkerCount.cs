namespace FuncExec.Node;

/// <summary>How many workers a node starts for a requested count (<see cref="NodeOptions.Workers"/>, <c>node -c</c>,
/// <c>run --workers</c>): N &gt; 0 starts N; 0 one per core; -N keeps N cores back, and at least one worker starts.</summary>
internal static class WorkerCount
{
    /// <summary>The workers to start for <paramref name="requested"/> on <paramref name="cores"/> available cores.</summary>
    public static int Resolve(int requested, int cores) => requested switch
    {
        > 0 => requested,
        0 => cores,
        _ => Math.Max(1, cores + requested),
    };

    /// <summary>True when <paramref name="requested"/> keeps back all of <paramref name="cores"/> or more, so
    /// <see cref="Resolve"/> starts one worker anyway; whoever asked should be told.</summary>
    public static bool KeepsBackAll(int requested, int cores) => requested < 0 && cores + requested < 1;
}
