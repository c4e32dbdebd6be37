using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;

namespace FuncExec.Worker;

/// <summary>
/// The worker's side of <see cref="TaskContext"/>: hands the running task its context (created when it
/// first asks), sends its messages and progress to the node, and completes its sends when the node's
/// acknowledgements arrive on the reader thread.
/// </summary>
/// <remarks>
/// Messages and progress share the node connection with results, one whole frame per write (the
/// connection's write lock). They are sent at once, never batched behind the flush timer, and a message
/// leaves after the results of earlier tasks that were still waiting, so the node sees them in the order
/// they happened.
/// </remarks>
internal sealed partial class WorkerRuntime : TaskRuntime
{
    private readonly TimeProvider _time;
    private WorkerConnection? _connection;
    private ResultBatcher? _results;

    // The running task's, for its context; written by the executing thread before the task starts.
    private IReadOnlyList<int> _cores = [];
    private string _directory = string.Empty;

    public WorkerRuntime(TimeProvider time)
    {
        _time = time;
        Board = new TaskBoard(NewContext);
    }

    public TaskBoard Board { get; }

    /// <summary>Whether the node asked to cancel the running task.</summary>
    public bool IsCancelRequested => Board.IsCancelRequested();

    /// <inheritdoc />
    protected internal override TaskContext? Current => Board.RunningContext();

    /// <summary>Sends through <paramref name="connection"/> from now on; before, a task's sends fail.</summary>
    public void Connect(WorkerConnection connection, ResultBatcher results)
    {
        _connection = connection;
        _results = results;
    }

    /// <summary>The running task's cores and working directory, for its context; called before it runs.</summary>
    public void Enter(IReadOnlyList<int> cores, string directory)
    {
        _cores = cores;
        _directory = directory;
    }

    /// <summary>The running task returned: its last progress goes out before its result.</summary>
    public void Exit() => FlushProgress();

    private TaskContext NewContext(TaskAssignment task, CancellationToken cancellationToken) =>
        CreateContext(task.TaskId, task.Computation, task.Attempt, _cores, _directory, cancellationToken);
}
