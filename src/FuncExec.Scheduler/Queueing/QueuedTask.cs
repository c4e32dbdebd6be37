using System.Diagnostics;
using FuncExec.Core.Telemetry;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Resources;

namespace FuncExec.Scheduler.Queueing;

/// <summary>A task the scheduler holds, queued or running.</summary>
internal sealed class QueuedTask
{
    public QueuedTask(long id, long sequence, SubmittedTaskSpec submitted, ITaskObserver observer, Computations.ComputationState computation)
    {
        Computation = computation;
        Id = id;
        Sequence = sequence;
        Submitted = submitted;
        Observer = observer;
        submitted.Assignment.TaskId = id;
        FunctionKey = FunctionKey.Of(submitted.Assignment);
        ReadTraceContext(submitted.Assignment);
    }

    // What tracing needs, made only for a task that came with a trace context or while spans are listened to: most
    // tasks are neither, and a queued task is held by the million.
    private Tracing? _tracing;

    /// <summary>The submitter's trace context, checked once: each attempt's <c>funcexec.queue</c> span starts under it.
    /// Default when the submitter sent none or one out of bounds (then a tracing scheduler starts the task's trace).</summary>
    public ActivityContext TraceParent => _tracing?.Parent ?? default;

    /// <summary>The submitter's trace context says the trace is not recorded: no span of this scheduler joins it, and the
    /// context goes on to the node as it came, so no hop after starts one either.</summary>
    public bool SampledOut => _tracing?.SampledOut ?? false;

    /// <summary>When it was queued, for its queue span; set only while something listens to FuncExec's spans.</summary>
    public DateTimeOffset QueuedAt
    {
        get => _tracing?.QueuedAt ?? default;
        set => (_tracing ??= new Tracing()).QueuedAt = value;
    }

    /// <summary>The submitter's trace context as it came, checked, handed on when this scheduler does not trace.</summary>
    public string SubmittedTraceParent => _tracing?.SubmittedParent ?? string.Empty;

    /// <inheritdoc cref="SubmittedTraceParent"/>
    public string SubmittedTraceState => _tracing?.SubmittedState ?? string.Empty;

    /// <summary>Names the function for duration estimates: tasks with one key take about as long.</summary>
    public FunctionKey FunctionKey { get; }

    public long Id { get; }

    /// <summary>The computation it belongs to (the submitter's implicit one when it named none).</summary>
    public Computations.ComputationState Computation { get; }

    /// <summary>Messages sent to it before it was handed to a worker; they follow its assignment.</summary>
    public List<TaskMessage>? PendingMessages { get; set; }

    /// <summary>Runs only on a given node or worker.</summary>
    public bool IsPinned => Submitted.HasTargetNode;

    /// <summary>Submission order across the scheduler; a retry keeps its place.</summary>
    public long Sequence { get; }

    /// <summary>As its submitter handed it in; the scheduler fills in its assignment's task id, attempt, cores and computation.</summary>
    public SubmittedTaskSpec Submitted { get; }

    public ITaskObserver Observer { get; }

    public int Cores => Submitted.Cores;

    public int Priority => Submitted.Priority;

    public TaskAssignment Assignment => Submitted.Assignment;

    /// <summary>Attempts started so far.</summary>
    public int Attempts { get; set; }

    /// <summary>When it last entered the queue (submitted or retried), a <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp; the queue wait it reports when it starts.</summary>
    public long QueuedTimestamp { get; set; }

    private void ReadTraceContext(TaskAssignment assignment)
    {
        if (assignment.TaskName.Length > TaskAssignment.MaxTracedNameLength)
        {
            // Only a span's attribute, passed on to the node when this scheduler does not trace: cut to what a span keeps.
            assignment.TaskName = assignment.TaskName[..TaskAssignment.MaxTracedNameLength];
        }

        if (assignment.TraceParent.Length == 0 && assignment.TraceState.Length == 0)
        {
            return;
        }

        if (TraceContext.TryRead(assignment.TraceParent, assignment.TraceState, out var parent))
        {
            _tracing ??= new Tracing();
            _tracing.Parent = parent;
            _tracing.SampledOut = !parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded);
            _tracing.SubmittedParent = assignment.TraceParent;
            _tracing.SubmittedState = assignment.TraceState.Length <= TraceContext.MaxTraceStateLength ? assignment.TraceState : string.Empty;
        }

        // A context that does not parse, or is over its bounds, goes no further: the task runs in a trace of its own.
        assignment.TraceParent = SubmittedTraceParent;
        assignment.TraceState = SubmittedTraceState;
    }

    private sealed class Tracing
    {
        public ActivityContext Parent { get; set; }

        public bool SampledOut { get; set; }

        public DateTimeOffset QueuedAt { get; set; }

        public string SubmittedParent { get; set; } = string.Empty;

        public string SubmittedState { get; set; } = string.Empty;
    }
}
