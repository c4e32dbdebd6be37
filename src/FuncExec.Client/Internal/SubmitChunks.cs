using FuncExec.Protocol.V1;
using Google.Protobuf;

namespace FuncExec.Client.Internal;

/// <summary>
/// One submission as the SubmitTasks frames it is sent in: its tasks in order, at most
/// <see cref="MaxChunkBytes"/> of them to a frame, each frame a <see cref="PendingSubmit"/> under a
/// request of its own. Whoever submitted hears once: every id, in the submission's order, when every
/// chunk is accepted; or the first refusal.
/// </summary>
/// <remarks>
/// <para>
/// The scheduler closes a connection that sends a frame over its cap (17 MiB unless its largest file
/// is bigger; it says its cap in the Welcome), and a reconnect would only send that frame again. So a
/// large submission (100,000 tasks of a map are some 30 MB) goes as several frames well under any cap,
/// and a task too big for a frame on its own is refused here, before any of the submission is sent.
/// </para>
/// <para>
/// The scheduler accepts or refuses each chunk on its own. A refused chunk fails the whole call with
/// the scheduler's reason; chunks accepted before it stay queued and run, unreported. After a reconnect
/// each chunk not yet accepted is sent again on its own, as any <see cref="PendingSubmit"/> is.
/// </para>
/// </remarks>
internal sealed class SubmitChunks
{
    /// <summary>The most bytes of one chunk's frame: a small part of the least cap, so that the scheduler
    /// queues a chunk while the next is on its way, and no frame holds the connection for long.</summary>
    public const int MaxChunkBytes = 1024 * 1024;

    /// <summary>The least cap a scheduler puts on a client's frame (16 MiB plus 1 MiB), assumed when its Welcome does not say.</summary>
    public const int LeastFrameCap = 17 * 1024 * 1024;

    // Around a chunk's tasks: the frame's length prefix, the envelope's field and the request id, with room to spare.
    private const int FrameOverhead = 64;

    private readonly long[] _ids;
    private readonly Action<long[]> _onAccepted;
    private readonly Action<Exception> _onRefused;
    private readonly List<PendingSubmit> _chunks = [];
    private int _waiting;
    private int _settled;

    private SubmitChunks(int tasks, Action<long[]> onAccepted, Action<Exception> onRefused)
    {
        _ids = new long[tasks];
        _onAccepted = onAccepted;
        _onRefused = onRefused;
    }

    /// <summary>The chunks, in order, the first under the submission's own request; none when it was refused here.</summary>
    public IReadOnlyList<PendingSubmit> Chunks => _chunks;

    /// <summary>Splits <paramref name="submit"/> into frames of at most <paramref name="maxChunkBytes"/> (a task bigger
    /// than that goes alone); the chunks after the first take their requests from <paramref name="nextRequest"/>.</summary>
    /// <param name="submit">Every task of the call, in order.</param>
    /// <param name="nextRequest">A new request id, unique among this client's submissions.</param>
    /// <param name="frameCap">The scheduler's cap on a client's frame: a task whose frame alone is bigger is refused
    /// (<paramref name="onRefused"/>, at once, with a <see cref="ResourceRequestException"/>) and nothing is sent.</param>
    /// <param name="onAccepted">Every id, in the submission's order, once every chunk is accepted.</param>
    /// <param name="onRefused">The first refusal of any chunk, or the submission's own when a task is too big.</param>
    /// <param name="maxChunkBytes">The most bytes of one chunk's frame.</param>
    public static SubmitChunks Split(
        SubmitTasks submit,
        Func<long> nextRequest,
        int frameCap,
        Action<long[]> onAccepted,
        Action<Exception> onRefused,
        int maxChunkBytes = MaxChunkBytes)
    {
        var submission = new SubmitChunks(submit.Tasks.Count, onAccepted, onRefused);
        var bounds = new List<(int Start, int Count)>();
        var start = 0;
        var bytes = FrameOverhead;
        for (var i = 0; i < submit.Tasks.Count; i++)
        {
            // The task's field in SubmitTasks: its tag byte, its length and itself.
            var size = 1 + CodedOutputStream.ComputeMessageSize(submit.Tasks[i]);
            if (FrameOverhead + size > frameCap)
            {
                submission.Refuse(new ResourceRequestException(
                    $"task '{submit.Tasks[i].Name}' is {size:N0} bytes on the wire, over the scheduler's cap of {frameCap:N0} bytes on a client's frame; "
                    + "nothing was submitted. Pass large inputs as files (ComputationOptions.Files) rather than as arguments"));
                return submission;
            }

            if (i > start && bytes + size > maxChunkBytes)
            {
                bounds.Add((start, i - start));
                start = i;
                bytes = FrameOverhead;
            }

            bytes += size;
        }

        // An empty submission is one empty chunk still: the scheduler's answer completes it.
        bounds.Add((start, submit.Tasks.Count - start));
        submission._waiting = bounds.Count;
        foreach (var (first, count) in bounds)
        {
            var chunk = submit;
            if (bounds.Count > 1)
            {
                chunk = new SubmitTasks { Request = first == 0 ? submit.Request : nextRequest(), Computation = submit.Computation };
                chunk.Tasks.Capacity = count;
                for (var i = first; i < first + count; i++)
                {
                    chunk.Tasks.Add(submit.Tasks[i]);
                }
            }

            submission._chunks.Add(new PendingSubmit(chunk, ids => submission.Accepted(first, ids), submission.Refuse));
        }

        return submission;
    }

    /// <summary>A chunk starting at task <paramref name="first"/> was given its ids.</summary>
    private void Accepted(int first, long[] ids)
    {
        Array.Copy(ids, 0, _ids, first, ids.Length);
        // The last chunk's decrement (a full fence) sees every other chunk's ids.
        if (Interlocked.Decrement(ref _waiting) == 0 && Interlocked.Exchange(ref _settled, 1) == 0)
        {
            _onAccepted(_ids);
        }
    }

    private void Refuse(Exception error)
    {
        if (Interlocked.Exchange(ref _settled, 1) == 0)
        {
            _onRefused(error);
        }
    }
}
