using FuncExec.Client.Internal;
using FuncExec.Protocol.V1;
using Google.Protobuf;

namespace FuncExec.IntegrationTests.Api;

/// <summary>
/// The client's split of a large submission into SubmitTasks frames (the bench's map of 100,000 items
/// went as one frame over the scheduler's cap, and its connection was closed): where chunks end, their
/// requests, and how their answers make the call's one answer. Here, beside the client's other
/// bookkeeping tests, since the client has no test project of its own.
/// </summary>
public sealed class SubmitChunksTests
{
    // Around a chunk's tasks, as SubmitChunks counts it.
    private const int FrameOverhead = 64;

    [Theory]
    [InlineData(0, 3)]
    [InlineData(1, 3)]
    [InlineData(-1, 2)]
    public void Split_ChunkBytesAroundAWholeNumberOfTasks_ChunksEndWhereTheNextTaskWouldGoOver(int slack, int perChunk)
    {
        var submit = Submission(request: 7, tasks: 10);
        var size = TaskBytes(submit.Tasks[0]);

        var chunks = SubmitChunks.Split(submit, Requests(100), int.MaxValue, _ => { }, error => throw error, FrameOverhead + (3 * size) + slack);

        var expected = Enumerable.Range(0, 10).Chunk(perChunk).Select(c => c.Select(i => (long)i + 1).ToArray()).ToArray();
        Assert.Equal(expected, chunks.Chunks.Select(c => c.Tags.ToArray()).ToArray());
        Assert.All(chunks.Chunks, c => Assert.True(4 + new ClusterEnvelope { Submit = c.Remaining() }.CalculateSize() <= FrameOverhead + (3 * size) + slack));
    }

    [Fact]
    public void Split_ManyChunks_FirstKeepsTheRequestTheRestGetNewOnesInOrder()
    {
        var submit = Submission(request: 7, tasks: 10);
        submit.Computation = 5;

        var chunks = SubmitChunks.Split(submit, Requests(100), int.MaxValue, _ => { }, error => throw error, FrameOverhead + TaskBytes(submit.Tasks[0]));

        Assert.Equal(new long[] { 7, 100, 101, 102, 103, 104, 105, 106, 107, 108 }, chunks.Chunks.Select(c => c.Request));
        Assert.All(chunks.Chunks, c => Assert.Equal(5, c.Computation));
        Assert.Equal(submit.Tasks.Select(t => t.Tag), chunks.Chunks.SelectMany(c => c.Remaining().Tasks).Select(t => t.Tag));
    }

    [Fact]
    public void Split_UnderTheChunkBytes_OneChunkUnderTheRequest()
    {
        var submit = Submission(request: 7, tasks: 10);

        var chunks = SubmitChunks.Split(submit, Requests(100), int.MaxValue, _ => { }, error => throw error);

        var chunk = Assert.Single(chunks.Chunks);
        Assert.Equal(7, chunk.Request);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), chunk.Tags);
    }

    [Fact]
    public void Split_NoTasks_OneEmptyChunkTheSchedulersAnswerCompletes()
    {
        long[]? accepted = null;

        var chunks = SubmitChunks.Split(new SubmitTasks { Request = 7 }, Requests(100), int.MaxValue, ids => accepted = ids, error => throw error);

        var chunk = Assert.Single(chunks.Chunks);
        Assert.True(chunk.Accept([]));
        chunk.Complete();
        Assert.Equal(Array.Empty<long>(), accepted);
    }

    [Fact]
    public void Split_ChunksAcceptedOutOfOrder_EveryIdInTheSubmissionsOrderOnceTheLastIsAccepted()
    {
        var submit = Submission(request: 7, tasks: 5);
        var heard = new List<long[]>();
        var chunks = SubmitChunks.Split(submit, Requests(100), int.MaxValue, heard.Add, error => throw error, FrameOverhead + (2 * TaskBytes(submit.Tasks[0])));
        Assert.Equal(3, chunks.Chunks.Count);

        foreach (var index in new[] { 2, 0 })
        {
            var chunk = chunks.Chunks[index];
            Assert.True(chunk.Accept([.. chunk.Tags.Select(t => t * 10)]));
            chunk.Complete();
        }

        Assert.Empty(heard);
        // After a reconnect the scheduler may say it holds one task already: the chunk's gap is filled from the rest.
        Assert.False(chunks.Chunks[1].Know(4, 40));
        Assert.True(chunks.Chunks[1].Accept([30]));
        chunks.Chunks[1].Complete();

        Assert.Equal(new long[] { 10, 20, 30, 40, 50 }, Assert.Single(heard));
    }

    [Fact]
    public void Split_LaterChunkRefused_CallRefusedOnceWithItsReasonAndNeverAccepted()
    {
        var submit = Submission(request: 7, tasks: 3);
        var accepted = 0;
        var refusals = new List<Exception>();
        var chunks = SubmitChunks.Split(submit, Requests(100), int.MaxValue, _ => accepted++, refusals.Add, FrameOverhead + TaskBytes(submit.Tasks[0]));

        Assert.True(chunks.Chunks[0].Accept([10]));
        chunks.Chunks[0].Complete();
        chunks.Chunks[1].Refuse(new ResourceRequestException("task t002: wider than any node"));
        chunks.Chunks[2].Refuse(new SchedulerUnreachableException("127.0.0.1:1", "gone"));
        Assert.True(chunks.Chunks[2].Accept([30]));
        chunks.Chunks[2].Complete();

        Assert.Equal(0, accepted);
        Assert.Equal("task t002: wider than any node", Assert.IsType<ResourceRequestException>(Assert.Single(refusals)).Message);
    }

    [Fact]
    public void Split_TaskOverTheFrameCap_RefusedAtOnceNamingItsSizeAndTheCapAndNothingToSend()
    {
        var submit = Submission(request: 7, tasks: 3);
        submit.Tasks[1].Name = new string('x', 5000);
        var refusals = new List<Exception>();

        var chunks = SubmitChunks.Split(submit, Requests(100), 4000, _ => throw new InvalidOperationException("accepted"), refusals.Add);

        Assert.Empty(chunks.Chunks);
        var refused = Assert.IsType<ResourceRequestException>(Assert.Single(refusals));
        Assert.Contains($"'{submit.Tasks[1].Name}' is {TaskBytes(submit.Tasks[1]):N0} bytes", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"over the scheduler's cap of {4000:N0} bytes", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>Tasks of the same size: tags 1.., names t000...</summary>
    private static SubmitTasks Submission(long request, int tasks)
    {
        var submit = new SubmitTasks { Request = request };
        for (var i = 0; i < tasks; i++)
        {
            submit.Tasks.Add(new SubmittedTaskSpec { Tag = i + 1, Name = $"t{i:D3}" });
        }

        return submit;
    }

    /// <summary>A task's bytes in a SubmitTasks frame: its field's tag, its length and itself.</summary>
    private static int TaskBytes(SubmittedTaskSpec spec) => 1 + CodedOutputStream.ComputeMessageSize(spec);

    private static Func<long> Requests(long first)
    {
        var next = first;
        return () => next++;
    }
}
