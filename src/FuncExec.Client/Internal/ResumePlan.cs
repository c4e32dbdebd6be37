namespace FuncExec.Client.Internal;

/// <summary>
/// What a client does with the tags it still waits for once the scheduler has said (in its
/// ResumeReply) which of them it knows.
/// </summary>
/// <remarks>
/// <para>A tag the scheduler knows is in good hands: its report comes (or came just before the reply).
/// If its submission was never accepted here, it counts as accepted now, with the id the scheduler gave.</para>
/// <para>A tag the scheduler does not know was never taken (its submission was not accepted: send it
/// again), or was lost (accepted, and the scheduler restarted without its journal: report it as unknown).</para>
/// </remarks>
/// <param name="NowAccepted">Known tags whose submission was never accepted here, with their ids.</param>
/// <param name="Resubmit">Unknown tags never accepted: to submit again.</param>
/// <param name="Unknown">Unknown tags once accepted: the scheduler lost them.</param>
internal sealed record ResumePlan(IReadOnlyList<(long Tag, long Id)> NowAccepted, IReadOnlyList<long> Resubmit, IReadOnlyList<long> Unknown)
{
    public static ResumePlan Make(IEnumerable<(long Tag, bool Accepted)> pending, IReadOnlyDictionary<long, long> known)
    {
        List<(long, long)> nowAccepted = [];
        List<long> resubmit = [];
        List<long> unknown = [];
        foreach (var (tag, accepted) in pending)
        {
            if (known.TryGetValue(tag, out var id))
            {
                if (!accepted)
                {
                    nowAccepted.Add((tag, id));
                }
            }
            else if (accepted)
            {
                unknown.Add(tag);
            }
            else
            {
                resubmit.Add(tag);
            }
        }

        return new ResumePlan(nowAccepted, resubmit, unknown);
    }
}
