using FuncExec.Client.Internal;
using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;

namespace FuncExec.IntegrationTests.Durability;

/// <summary>Issue 10: the client's bookkeeping of the tags it waits for, which makes every report reach its caller once across reconnects.</summary>
public sealed class ClientTagBookkeepingTests
{
    [Fact]
    public async Task RunObserver_ReportForATagDeliveredTwice_SecondIsDropped()
    {
        var heard = new List<(int Index, long Id)>();
        var observer = new RunObserver(2, (index, report) => heard.Add((index, report.Id)));

        Assert.True(observer.Complete(0, Report(11)));
        // The scheduler posts a report again after a reconnect when its acknowledgement was lost.
        Assert.False(observer.Complete(0, Report(11)));
        Assert.Equal(new[] { 1 }, observer.Pending);
        Assert.True(observer.Complete(1, Report(12)));
        Assert.False(observer.Complete(1, Report(12)));

        var reports = await observer.Completion;
        Assert.Equal(new[] { (0, 11L), (1, 12L) }, heard);
        Assert.Equal(new[] { 11L, 12L }, reports.Select(r => r.Id));
        Assert.Empty(observer.Pending);
    }

    [Fact]
    public void RunObserver_ReportForATagOutsideTheRun_IsDropped()
    {
        var observer = new RunObserver(1, null);

        Assert.False(observer.Complete(5, Report(1)));
        Assert.False(observer.Complete(-1, Report(1)));
        Assert.Equal(new[] { 0 }, observer.Pending);
    }

    [Fact]
    public void ResumePlan_Make_KnownUnacceptedAcceptedUnknownAcceptedResubmittedUnacceptedUnknownFailed()
    {
        (long, bool)[] pending = [(1, true), (2, false), (3, true), (4, false)];
        var known = new Dictionary<long, long> { [1] = 11, [2] = 22, [99] = 990 };

        var plan = ResumePlan.Make(pending, known);

        Assert.Equal(new[] { (2L, 22L) }, plan.NowAccepted);
        Assert.Equal(new[] { 4L }, plan.Resubmit);
        Assert.Equal(new[] { 3L }, plan.Unknown);
    }

    [Fact]
    public void PendingSubmit_SomeTagsKnownThenTheRestAccepted_IdsFillTheGapsInOrder()
    {
        var submit = new SubmitTasks { Request = 7 };
        submit.Tasks.Add(new SubmittedTaskSpec { Tag = 1, Name = "a" });
        submit.Tasks.Add(new SubmittedTaskSpec { Tag = 2, Name = "b" });
        submit.Tasks.Add(new SubmittedTaskSpec { Tag = 3, Name = "c" });
        long[]? accepted = null;
        var pending = new PendingSubmit(submit, ids => accepted = ids, error => throw error);

        Assert.False(pending.Know(2, 20));
        var remaining = pending.Remaining();
        Assert.Equal(7, remaining.Request);
        Assert.Equal(new[] { 1L, 3L }, remaining.Tasks.Select(t => t.Tag));
        Assert.Equal(new[] { 1L, 3L }, pending.UnacceptedTags);
        Assert.True(pending.Accept([10, 30]));
        pending.Complete();

        Assert.Equal(new[] { 10L, 20L, 30L }, accepted);
        Assert.Empty(pending.UnacceptedTags);
    }

    private static TaskReport Report(long id) => new() { Id = id, Name = $"t{id}", State = TaskState.Succeeded };
}
