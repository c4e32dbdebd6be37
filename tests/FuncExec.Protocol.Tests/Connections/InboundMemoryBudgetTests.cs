using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Tests.Support;

namespace FuncExec.Protocol.Tests.Connections;

public sealed class InboundMemoryBudgetTests
{
    [Fact]
    public async Task ReserveAsync_WithinCapacity_TakenAtOnceAndReleaseGivesItBack()
    {
        var budget = new InboundMemoryBudget(1000);

        var reserving = budget.ReserveAsync(600);
        Assert.True(reserving.IsCompletedSuccessfully);
        await reserving;
        Assert.Equal(600, budget.Reserved);
        budget.Release(600);

        Assert.Equal(0, budget.Reserved);
    }

    [Fact]
    public async Task ReserveAsync_OverWhatIsFree_WaitsUntilReleased()
    {
        var budget = new InboundMemoryBudget(1000);
        await budget.ReserveAsync(800);

        var waiting = budget.ReserveAsync(400).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, budget.Waiting);
        budget.Release(300);

        await waiting.Within();
        Assert.Equal(900, budget.Reserved);
        Assert.Equal(0, budget.Waiting);
    }

    [Fact]
    public async Task ReserveAsync_LargeWaiterFirst_SmallLaterOnesDoNotOvertakeIt()
    {
        var budget = new InboundMemoryBudget(1000);
        await budget.ReserveAsync(900);
        var large = budget.ReserveAsync(500).AsTask();

        var small = budget.ReserveAsync(50).AsTask();
        Assert.False(budget.TryReserve(50));
        Assert.False(small.IsCompleted);
        budget.Release(900);

        await Task.WhenAll(large, small).Within();
        Assert.Equal(550, budget.Reserved);
    }

    [Fact]
    public async Task ReserveAsync_CancelledWhileWaiting_TakesNothingAndLetsTheNextIn()
    {
        var budget = new InboundMemoryBudget(1000);
        await budget.ReserveAsync(700);
        using var cancel = new CancellationTokenSource();
        var head = budget.ReserveAsync(900, cancel.Token).AsTask();
        var next = budget.ReserveAsync(200).AsTask();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => head.Within());
        await next.Within();
        Assert.Equal(900, budget.Reserved);
    }

    [Fact]
    public async Task ReserveAsync_MoreThanCapacity_ThrowsInsteadOfWaitingForever()
    {
        var budget = new InboundMemoryBudget(1000);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => budget.ReserveAsync(1001).AsTask());
        Assert.Equal(0, budget.Waiting);
    }

    [Fact]
    public void FrameDeadline_LargerFrame_GivenGraceAndItsLengthAtTheMinimumRate()
    {
        var budget = new InboundMemoryBudget(1000) { FrameGrace = TimeSpan.FromSeconds(10), MinBytesPerSecond = 1024 };

        Assert.Equal(TimeSpan.FromSeconds(15), budget.FrameDeadline(5 * 1024));
    }
}
