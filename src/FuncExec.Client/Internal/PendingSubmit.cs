using FuncExec.Protocol.V1;

namespace FuncExec.Client.Internal;

/// <summary>
/// A submission the scheduler has not accepted yet: kept, so that it can be sent again after a
/// reconnect, and dropped once accepted. The client thus holds at most what it submitted and was
/// not yet told was accepted.
/// </summary>
/// <remarks>
/// A resubmission after a reconnect carries only the tasks the scheduler did not know; its
/// SubmitAccepted gives their ids in that order, which fill the gaps.
/// </remarks>
internal sealed class PendingSubmit
{
    private readonly SubmittedTaskSpec[] _specs;
    private readonly long[] _ids;
    private readonly Action<long[]> _onAccepted;
    private readonly Action<Exception> _onRefused;

    public PendingSubmit(SubmitTasks submit, Action<long[]> onAccepted, Action<Exception> onRefused)
    {
        Request = submit.Request;
        Computation = submit.Computation;
        _specs = [.. submit.Tasks];
        _ids = new long[_specs.Length];
        _onAccepted = onAccepted;
        _onRefused = onRefused;
    }

    public long Request { get; }

    /// <summary>The computation its tasks belong to; 0 for a run's tasks.</summary>
    public long Computation { get; }

    /// <summary>The tags not given an id yet.</summary>
    public IEnumerable<long> UnacceptedTags
    {
        get
        {
            for (var i = 0; i < _specs.Length; i++)
            {
                if (_ids[i] == 0)
                {
                    yield return _specs[i].Tag;
                }
            }
        }
    }

    /// <summary>The tasks not given an id yet, as one submission under the same request.</summary>
    public SubmitTasks Remaining()
    {
        var submit = new SubmitTasks { Request = Request, Computation = Computation };
        for (var i = 0; i < _specs.Length; i++)
        {
            if (_ids[i] == 0)
            {
                submit.Tasks.Add(_specs[i]);
            }
        }

        return submit;
    }

    /// <summary>The scheduler said (in a ResumeReply) it holds <paramref name="tag"/> as <paramref name="id"/>.</summary>
    /// <returns>True when every task now has its id.</returns>
    public bool Know(long tag, long id)
    {
        var index = Array.FindIndex(_specs, s => s.Tag == tag);
        if (index >= 0 && _ids[index] == 0)
        {
            _ids[index] = id;
        }

        return Array.IndexOf(_ids, 0L) < 0;
    }

    /// <summary>The scheduler accepted the tasks last sent (<see cref="Remaining"/>): their ids, in order.</summary>
    /// <returns>True when every task now has its id.</returns>
    public bool Accept(IReadOnlyList<long> ids)
    {
        var next = 0;
        for (var i = 0; i < _ids.Length && next < ids.Count; i++)
        {
            if (_ids[i] == 0)
            {
                _ids[i] = ids[next++];
            }
        }

        return Array.IndexOf(_ids, 0L) < 0;
    }

    /// <summary>Gives every id to whoever waits for the acceptance.</summary>
    public void Complete() => _onAccepted(_ids);

    /// <summary>The scheduler refused it, or it cannot be sent any more.</summary>
    public void Refuse(Exception error) => _onRefused(error);

    /// <summary>The tags of every task, in order.</summary>
    public IEnumerable<long> Tags => _specs.Select(s => s.Tag);
}
