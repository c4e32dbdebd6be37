using FuncExec.Protocol.Requests;
using Microsoft.Extensions.Time.Testing;

namespace FuncExec.Protocol.Tests.Requests;

public sealed class RequestTrackerTests
{
    [Fact]
    public async Task TryComplete_RepliesOutOfOrder_EachGoesToItsOwnRequest()
    {
        var tracker = new RequestTracker();
        using var first = tracker.NewRequest<string>();
        using var second = tracker.NewRequest<string>();
        using var third = tracker.NewRequest<string>();

        Assert.True(tracker.TryComplete(third.Id, "three"));
        Assert.True(tracker.TryComplete(first.Id, "one"));
        Assert.True(tracker.TryComplete(second.Id, "two"));

        Assert.Equal("one", await first.Reply);
        Assert.Equal("two", await second.Reply);
        Assert.Equal("three", await third.Reply);
        Assert.Equal(0, tracker.Count);
    }

    [Fact]
    public void NewRequest_Twice_GivesDistinctNonZeroIds()
    {
        var tracker = new RequestTracker();
        using var a = tracker.NewRequest<string>();
        using var b = tracker.NewRequest<int>();

        Assert.NotEqual(0, a.Id);
        Assert.NotEqual(a.Id, b.Id);
        Assert.Equal(2, tracker.Count);
    }

    [Fact]
    public void TryComplete_UnknownId_IsIgnored()
    {
        var tracker = new RequestTracker();
        using var waiting = tracker.NewRequest<string>();

        Assert.False(tracker.TryComplete(waiting.Id + 1000, "stray"));

        Assert.False(waiting.Reply.IsCompleted);
        Assert.Equal(1, tracker.Count);
    }

    [Fact]
    public async Task TryComplete_SameIdTwice_SecondIsIgnored()
    {
        var tracker = new RequestTracker();
        using var request = tracker.NewRequest<string>();

        Assert.True(tracker.TryComplete(request.Id, "first"));
        Assert.False(tracker.TryComplete(request.Id, "again"));

        Assert.Equal("first", await request.Reply);
    }

    [Fact]
    public async Task TryComplete_WrongReplyType_IsIgnoredAndTheRequestStillWaits()
    {
        var tracker = new RequestTracker();
        using var request = tracker.NewRequest<string>();

        Assert.False(tracker.TryComplete(request.Id, 42));
        Assert.False(request.Reply.IsCompleted);

        Assert.True(tracker.TryComplete(request.Id, "right"));
        Assert.Equal("right", await request.Reply);
    }

    [Fact]
    public async Task FailAll_SomeWaiting_FailsEveryOneAndEmptiesTheTracker()
    {
        var tracker = new RequestTracker();
        using var a = tracker.NewRequest<string>();
        using var b = tracker.NewRequest<int>();
        var lost = new IOException("the connection was lost");

        tracker.FailAll(lost);

        Assert.Same(lost, await Assert.ThrowsAsync<IOException>(() => a.Reply));
        Assert.Same(lost, await Assert.ThrowsAsync<IOException>(() => b.Reply));
        Assert.Equal(0, tracker.Count);
        Assert.False(tracker.TryComplete(a.Id, "late"));
    }

    [Fact]
    public void NewRequest_BeyondTheBound_ThrowsAndLeavesTheOthersWaiting()
    {
        var tracker = new RequestTracker(maxOutstanding: 2);
        using var a = tracker.NewRequest<string>();
        using var b = tracker.NewRequest<string>();

        var error = Assert.Throws<RequestLimitExceededException>(() => tracker.NewRequest<string>());

        Assert.Equal(2, error.Limit);
        Assert.Contains("2 requests", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, tracker.Count);
    }

    [Fact]
    public void NewRequest_AfterOneIsAnswered_FitsUnderTheBoundAgain()
    {
        var tracker = new RequestTracker(maxOutstanding: 1);
        using (var a = tracker.NewRequest<string>())
        {
            tracker.TryComplete(a.Id, "done");
        }

        using var b = tracker.NewRequest<string>();

        Assert.Equal(1, tracker.Count);
    }

    [Fact]
    public async Task NewRequest_TokenCancelled_RemovesTheRequestAndDropsALateReply()
    {
        var tracker = new RequestTracker();
        using var cts = new CancellationTokenSource();
        using var request = tracker.NewRequest<string>(cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request.Reply);
        Assert.Equal(0, tracker.Count);
        Assert.False(tracker.TryComplete(request.Id, "late"));
    }

    [Fact]
    public async Task NewRequest_TimeoutPasses_RemovesTheRequest()
    {
        var time = new FakeTimeProvider();
        var tracker = new RequestTracker();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
        using var request = tracker.NewRequest<string>(timeout.Token);

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(request.Reply.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request.Reply);
        Assert.Equal(0, tracker.Count);
    }

    [Fact]
    public async Task WaitAsync_Cancelled_RemovesTheRequest()
    {
        var tracker = new RequestTracker();
        using var cts = new CancellationTokenSource();
        var request = tracker.NewRequest<string>();
        var waiting = request.WaitAsync(cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, tracker.Count);
    }

    [Fact]
    public async Task Dispose_BeforeAReply_ForgetsTheRequest()
    {
        var tracker = new RequestTracker();
        var request = tracker.NewRequest<string>();

        request.Dispose();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request.Reply);
        Assert.Equal(0, tracker.Count);
        Assert.False(tracker.TryComplete(request.Id, "late"));
    }

    [Fact]
    public async Task TryComplete_ManyConcurrentRequests_EachGetsItsOwnReply()
    {
        var tracker = new RequestTracker();
        var requests = Enumerable.Range(0, 200).Select(_ => tracker.NewRequest<long>()).ToList();

        await Parallel.ForEachAsync(requests.AsEnumerable().Reverse(), (r, _) =>
        {
            tracker.TryComplete(r.Id, r.Id * 10);
            return ValueTask.CompletedTask;
        });

        foreach (var request in requests)
        {
            Assert.Equal(request.Id * 10, await request.Reply);
            request.Dispose();
        }

        Assert.Equal(0, tracker.Count);
    }
}
