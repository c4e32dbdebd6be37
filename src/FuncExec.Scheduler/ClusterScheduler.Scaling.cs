namespace FuncExec.Scheduler;

/// <summary>A scaling decision a client reported: an adaptive cluster manager asked for nodes or released them.</summary>
/// <param name="Time">When the scheduler heard it.</param>
/// <param name="Client">The client's name.</param>
/// <param name="Text">What it decided, and why, in its own words.</param>
/// <param name="TargetNodes">How many nodes it wants now.</param>
internal sealed record ScalingNote(DateTimeOffset Time, string Client, string Text, int TargetNodes);

internal sealed partial class ClusterScheduler
{
    /// <summary>The longest note taken, in characters.</summary>
    public const int MaxScalingNoteLength = 1_000;

    /// <summary>How many notes are kept for status.</summary>
    public const int ScalingNotesKept = 20;

    private readonly Queue<ScalingNote> _scalingNotes = new();

    /// <summary>Records what an adaptive cluster manager decided: kept (the last <see cref="ScalingNotesKept"/>) for
    /// status, and published as a <see cref="ClusterEventKind.Scaling"/> event, so the dashboard's log shows it.</summary>
    /// <returns>Null when taken; otherwise why it was refused (empty, too long, a target below 0), to log.</returns>
    public string? NoteScaling(string client, string text, int targetNodes)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(text);
        var problem = text.Length == 0 ? "a scaling note with no text"
            : text.Length > MaxScalingNoteLength ? $"a scaling note of {text.Length} characters (at most {MaxScalingNoteLength})"
            : targetNodes < 0 ? $"a scaling note wanting {targetNodes} nodes"
            : null;
        if (problem is not null)
        {
            Interlocked.Increment(ref _refusedFromClients);
            return problem;
        }

        var dispatch = NewDispatch();
        lock (_lock)
        {
            var note = new ScalingNote(Now(), client, text, targetNodes);
            _scalingNotes.Enqueue(note);
            while (_scalingNotes.Count > ScalingNotesKept)
            {
                _scalingNotes.Dequeue();
            }

            if (dispatch.RecordsEvents)
            {
                dispatch.Event(ClusterEvent.Scaling(note.Time, client, text, targetNodes));
            }

            SealLocked(dispatch);
        }

        Done(dispatch);
        return null;
    }

    /// <summary>The scaling notes kept, oldest first.</summary>
    public IReadOnlyList<ScalingNote> ScalingNotes()
    {
        lock (_lock)
        {
            return [.. _scalingNotes];
        }
    }
}
