using FuncExec.Core.Tasks;
using FuncExec.Core.Text;
using FuncExec.Dashboard.Api;

namespace FuncExec.Dashboard.Internal;

/// <summary>
/// What the dashboard remembers of the event stream, bounded whatever the load: the last N
/// finished tasks, the whole errors of the latest failed ones, tasks finished per second, busy spans
/// per core for the history window, a sample of the queue, per-computation tallies, and a short log
/// of node, worker and computation events.
/// </summary>
/// <remarks>
/// <see cref="OnEvents"/> runs on the scheduler's threads for every batch, so it does only O(1)
/// work per event under one short lock and keeps the event records it is given instead of copying
/// them (but for a failed task's, kept without its error, which goes to the bounded
/// <see cref="RecentErrors"/>). Back-to-back tasks on a core are merged into one busy span, so
/// 50,000 tiny tasks a second make a handful of spans, not 50,000.
/// </remarks>
internal sealed class ClusterHistory
{
    /// <summary>Queued tasks kept by name for the table; beyond this only the count is shown.</summary>
    private const int QueuedKept = 500;

    /// <summary>Busy spans kept per core lane; the oldest go first.</summary>
    private const int SpansPerLane = 400;

    /// <summary>A task that starts within this of the previous one's end on the same core extends its span.</summary>
    private static readonly TimeSpan MergeGap = TimeSpan.FromMilliseconds(25);

    private const int LogKept = 50;
    private const int ClosedComputationsKept = 20;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _window;
    private readonly FinishedEntry[] _finished;
    private int _finishedNext;
    private readonly int[] _perSecond;
    private readonly long[] _perSecondStamp;
    private readonly Dictionary<long, ClusterEvent> _queued = [];
    private readonly Dictionary<long, ClusterEvent> _running = [];
    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);
    private readonly Dictionary<long, Tally> _tallies = [];
    private readonly Queue<ComputationView> _closed = new();
    private readonly Queue<LogEntryView> _log = new();
    private readonly RecentErrors _errors = new();

    public ClusterHistory(int finishedKept, TimeSpan window, TimeProvider time)
    {
        _time = time;
        _window = window;
        _finished = new FinishedEntry[Math.Max(1, finishedKept)];
        var seconds = (int)Math.Ceiling(window.TotalSeconds) + 1;
        _perSecond = new int[seconds];
        _perSecondStamp = new long[seconds];
    }

    /// <summary>Takes a batch from <c>ClusterScheduler.Subscribe</c>.</summary>
    public void OnEvents(IReadOnlyList<ClusterEvent> events)
    {
        lock (_lock)
        {
            foreach (var e in events)
            {
                switch (e.Kind)
                {
                    case ClusterEventKind.TaskQueued:
                        if (_queued.Count < QueuedKept)
                        {
                            _queued[e.TaskId] = e;
                        }

                        break;
                    case ClusterEventKind.TaskStarted:
                        _queued.Remove(e.TaskId);
                        _running[e.TaskId] = e;
                        break;
                    case ClusterEventKind.TaskFinished:
                        Finish(e);
                        break;
                    case ClusterEventKind.ComputationScheduled:
                        _tallies.TryAdd(e.Computation, new Tally(e.Name, e.Exclusive));
                        Log(e.Time, "computation", $"computation {e.Name} ({e.Computation}) scheduled{(e.Exclusive ? ", exclusive" : string.Empty)}");
                        break;
                    case ClusterEventKind.ComputationClosed:
                        Close(e);
                        break;
                    case ClusterEventKind.NodeJoined:
                        Log(e.Time, "node", $"node {e.NodeName} joined with {Plural.Of(e.Workers, "worker")}");
                        break;
                    case ClusterEventKind.Scaling:
                        Log(e.Time, "node", $"scaling ({e.Name}): {e.Reason}");
                        break;
                    case ClusterEventKind.NodeDraining:
                        Log(e.Time, "node", $"node {e.NodeName} is draining: it takes no more work and leaves once its running tasks end");
                        break;
                    case ClusterEventKind.NodeLost:
                        Log(e.Time, "node-lost", $"node {e.NodeName} lost: {e.Reason}");
                        break;
                    case ClusterEventKind.WorkerDied:
                        Log(e.Time, "worker-died", $"worker {e.Worker} ended: {e.Reason}");
                        break;
                    case ClusterEventKind.WorkerStarted:
                        break; // Shown by the worker table; too frequent to log (every respawn).
                }
            }
        }
    }

    /// <summary>The finished tasks kept, newest first.</summary>
    public List<TaskView> Finished(int max, Func<TaskView, bool>? keep = null)
    {
        var views = new List<TaskView>(Math.Min(max, _finished.Length));
        lock (_lock)
        {
            for (var i = 1; i <= _finished.Length && views.Count < max; i++)
            {
                var slot = _finished[(_finishedNext - i + _finished.Length) % _finished.Length];
                if (slot.Event is null)
                {
                    break;
                }

                var view = View(slot);
                if (keep is null || keep(view))
                {
                    views.Add(view);
                }
            }
        }

        return views;
    }

    /// <summary>The queued tasks known by name (at most <see cref="QueuedKept"/>), oldest first.</summary>
    public List<TaskView> Queued(int max, Func<TaskView, bool>? keep = null)
    {
        lock (_lock)
        {
            return [.. _queued.Values.OrderBy(q => q.TaskId).Select(q => new TaskView(q.TaskId, q.Name, "queued", q.Computation, null, [], null, null, 0))
                .Where(v => keep is null || keep(v)).Take(max)];
        }
    }

    /// <summary>When each running task started, and its computation.</summary>
    public Dictionary<long, ClusterEvent> Running()
    {
        lock (_lock)
        {
            return new Dictionary<long, ClusterEvent>(_running);
        }
    }

    /// <summary>Tasks finished in each second of the window; the last entry is the second under way.</summary>
    public ThroughputView Throughput()
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var counts = new int[_perSecond.Length];
        lock (_lock)
        {
            for (var i = 0; i < counts.Length; i++)
            {
                var second = now - counts.Length + 1 + i;
                var index = (int)(second % _perSecond.Length);
                counts[i] = _perSecondStamp[index] == second ? _perSecond[index] : 0;
            }
        }

        return new ThroughputView(now - counts.Length + 1, counts);
    }

    /// <summary>Busy spans per core lane within the window, with a still-open span for every running task.</summary>
    /// <param name="knownLanes">Lanes to show even when idle: every core of every node.</param>
    public TimelineView Timeline(IReadOnlyCollection<string> knownLanes)
    {
        var now = _time.GetUtcNow();
        var since = now - _window;
        var lanes = new List<string>();
        var spans = new List<SpanView>();
        lock (_lock)
        {
            foreach (var running in _running.Values)
            {
                foreach (var lane in LanesOf(running.Worker, running.Cores))
                {
                    LaneNamed(lane);
                }
            }

            foreach (var lane in knownLanes)
            {
                LaneNamed(lane);
            }

            var shown = new HashSet<string>(knownLanes, StringComparer.Ordinal);
            shown.UnionWith(_running.Values.SelectMany(r => LanesOf(r.Worker, r.Cores)));
            foreach (var (name, lane) in _lanes.OrderBy(l => l.Key, LaneOrder.Instance).ToList())
            {
                lane.Prune(since);
                if (lane.Spans.Count == 0 && !shown.Contains(name))
                {
                    _lanes.Remove(name); // A core of a node gone, idle for the whole window.
                    continue;
                }

                var index = lanes.Count;
                lanes.Add(name);
                foreach (var span in lane.Spans)
                {
                    spans.Add(new SpanView(index, span.Start.ToUnixTimeMilliseconds(), span.End.ToUnixTimeMilliseconds(), span.Task, span.Name, span.Count, span.State));
                }
            }

            foreach (var running in _running.Values)
            {
                foreach (var lane in LanesOf(running.Worker, running.Cores))
                {
                    spans.Add(new SpanView(lanes.IndexOf(lane), running.Time.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), running.TaskId, running.Name, 1, "running"));
                }
            }
        }

        return new TimelineView(lanes, spans);
    }

    /// <summary>Done and failed counts of an open computation, as far as the dashboard saw them.</summary>
    public (long Done, long Failed) TallyOf(long computation)
    {
        lock (_lock)
        {
            return _tallies.TryGetValue(computation, out var tally) ? (tally.Done, tally.Failed) : (0, 0);
        }
    }

    /// <summary>The computations closed lately, newest first.</summary>
    public List<ComputationView> Closed()
    {
        lock (_lock)
        {
            return [.. _closed.Reverse()];
        }
    }

    /// <summary>Node, worker and computation events, newest first.</summary>
    public List<LogEntryView> Log()
    {
        lock (_lock)
        {
            return [.. _log.Reverse()];
        }
    }

    /// <summary>The whole error of a task that did not succeed, while it is among the latest kept.</summary>
    public TaskErrorView? ErrorOf(long taskId)
    {
        RecentErrors.KeptError? kept;
        lock (_lock)
        {
            kept = _errors.Find(taskId);
        }

        // Kept errors are immutable: the view is built outside the lock.
        return kept is null ? null : new TaskErrorView(kept.TaskId, kept.Name, kept.State.ToName(), RecentErrors.View(kept.Error));
    }

    /// <summary>A finished task's row; the start the scheduler saw stands in when its report has none
    /// (a killed worker reports none, but the scheduler saw the task start).</summary>
    private static TaskView View(FinishedEntry entry)
    {
        var f = entry.Event!;
        return new(
            f.TaskId, f.Name, (f.State ?? TaskState.Failed).ToName(), f.Computation, f.Worker, f.Cores, (f.Started ?? entry.Started)?.ToUnixTimeMilliseconds(),
            (f.Finished ?? f.Time).ToUnixTimeMilliseconds(), f.Attempt, entry.ErrorType, entry.ErrorMessage);
    }

    /// <summary>The timeline lanes a task occupies: each of its cores on its node (<c>node/core</c>).</summary>
    internal static IEnumerable<string> LanesOf(string? worker, IReadOnlyList<int> cores)
    {
        if (string.IsNullOrEmpty(worker))
        {
            yield break;
        }

        var slash = worker.LastIndexOf('/');
        var node = slash > 0 ? worker[..slash] : worker;
        if (cores.Count == 0)
        {
            yield return worker;
            yield break;
        }

        foreach (var core in cores)
        {
            yield return $"{node}/{core}";
        }
    }

    private void Finish(ClusterEvent finished)
    {
        _queued.Remove(finished.TaskId);
        _running.TryGetValue(finished.TaskId, out var started);
        _running.Remove(finished.TaskId);
        var state = finished.State ?? TaskState.Failed;
        string? errorType = null, errorMessage = null;
        if (finished.Error is { } error)
        {
            _errors.Add(finished.TaskId, finished.Name, state, error);
            (errorType, errorMessage) = (RecentErrors.Summary(error.Type), RecentErrors.Summary(error.Message));
            // The ring keeps the event without its error: a thousand finished tasks must not hold a thousand stacks.
            finished = finished with { Error = null };
        }

        _finished[_finishedNext] = new FinishedEntry(finished, started?.Time, errorType, errorMessage);
        _finishedNext = (_finishedNext + 1) % _finished.Length;

        var second = (finished.Finished ?? finished.Time).ToUnixTimeSeconds();
        var index = (int)(second % _perSecond.Length);
        if (_perSecondStamp[index] != second)
        {
            _perSecondStamp[index] = second;
            _perSecond[index] = 0;
        }

        _perSecond[index]++;
        if (_tallies.TryGetValue(finished.Computation, out var tally))
        {
            tally.Done++;
            if (state != TaskState.Succeeded)
            {
                tally.Failed++;
            }
        }

        // A task that never started (killed or cancelled in the queue) kept no core busy.
        var start = finished.Started ?? started?.Time;
        if (start is null)
        {
            return;
        }

        var end = finished.Finished ?? finished.Time;
        foreach (var lane in LanesOf(finished.Worker, finished.Cores))
        {
            LaneNamed(lane).Add(start.Value, end, finished.TaskId, finished.Name, state.ToName());
        }
    }

    private void Close(ClusterEvent closed)
    {
        _tallies.Remove(closed.Computation, out var tally);
        _closed.Enqueue(new ComputationView(
            closed.Computation, closed.Name, tally?.Exclusive ?? false, false, false, 0, 0, tally?.Done ?? 0, tally?.Failed ?? 0, null));
        if (_closed.Count > ClosedComputationsKept)
        {
            _closed.Dequeue();
        }

        Log(closed.Time, "computation", $"computation {closed.Name} ({closed.Computation}) closed");
    }

    private void Log(DateTimeOffset time, string kind, string text)
    {
        _log.Enqueue(new LogEntryView(time.ToUnixTimeMilliseconds(), kind, text));
        if (_log.Count > LogKept)
        {
            _log.Dequeue();
        }
    }

    private Lane LaneNamed(string name)
    {
        if (!_lanes.TryGetValue(name, out var lane))
        {
            lane = new Lane();
            _lanes[name] = lane;
        }

        return lane;
    }

    /// <summary>A finished task, with when the scheduler saw it start and, if it failed, its error's type and message cut short.</summary>
    /// <remarks>A struct in an array: keeping a finished task allocates nothing beyond its event (and its error's summary).</remarks>
    private readonly record struct FinishedEntry(ClusterEvent? Event, DateTimeOffset? Started, string? ErrorType, string? ErrorMessage);

    private sealed class Tally(string name, bool exclusive)
    {
        public string Name { get; } = name;

        public bool Exclusive { get; } = exclusive;

        public long Done { get; set; }

        public long Failed { get; set; }
    }

    private sealed class Span
    {
        public DateTimeOffset Start { get; set; }

        public DateTimeOffset End { get; set; }

        public long Task { get; set; }

        public string Name { get; set; } = string.Empty;

        public int Count { get; set; }

        public string State { get; set; } = string.Empty;
    }

    private sealed class Lane
    {
        public LinkedList<Span> Spans { get; } = new();

        public void Add(DateTimeOffset start, DateTimeOffset end, long task, string name, string state)
        {
            if (Spans.Last?.Value is { } last && start - last.End <= MergeGap && end >= last.Start)
            {
                last.End = end > last.End ? end : last.End;
                last.Count++;
                last.State = state;
                return;
            }

            Spans.AddLast(new Span { Start = start, End = end, Task = task, Name = name, Count = 1, State = state });
            if (Spans.Count > SpansPerLane)
            {
                Spans.RemoveFirst();
            }
        }

        public void Prune(DateTimeOffset since)
        {
            while (Spans.First?.Value is { } first && first.End < since)
            {
                Spans.RemoveFirst();
            }
        }
    }

    /// <summary>Lanes by node, then by core number (so core 10 follows core 9).</summary>
    private sealed class LaneOrder : IComparer<string>
    {
        public static LaneOrder Instance { get; } = new();

        public int Compare(string? x, string? y)
        {
            var (nodeX, coreX) = Split(x ?? string.Empty);
            var (nodeY, coreY) = Split(y ?? string.Empty);
            var byNode = string.CompareOrdinal(nodeX, nodeY);
            return byNode != 0 ? byNode : coreX.CompareTo(coreY);
        }

        private static (string Node, int Core) Split(string lane)
        {
            var slash = lane.LastIndexOf('/');
            return slash > 0 && int.TryParse(lane.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture, out var core)
                ? (lane[..slash], core)
                : (lane, -1);
        }
    }
}
