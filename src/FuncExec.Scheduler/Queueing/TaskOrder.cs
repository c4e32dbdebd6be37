namespace FuncExec;

/// <summary>The order in which queued tasks are placed.</summary>
public enum TaskOrder
{
    /// <summary>Higher priority first, then submission order (the default).</summary>
    Priority,

    /// <summary>Submission order only.</summary>
    Fifo,

    /// <summary>Fewer cores first, then submission order: the seed dispatcher's order, which keeps
    /// small tasks from waiting behind wide ones.</summary>
    FewestCoresFirst,
}
