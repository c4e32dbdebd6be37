using FuncExec.Dashboard.Internal;

namespace FuncExec.Dashboard.Tests.Internal;

public sealed class RecentErrorsTests
{
    [Fact]
    public void Add_MoreThanKept_KeepsTheLatest()
    {
        var errors = new RecentErrors(kept: 3);

        for (var id = 1; id <= 10; id++)
        {
            errors.Add(id, $"t{id}", TaskState.Failed, new RemoteError("E", $"m{id}"));
        }

        Assert.Equal(3, errors.Count);
        Assert.Null(errors.Find(7));
        Assert.Equal(["m8", "m9", "m10"], new long[] { 8, 9, 10 }.Select(id => errors.Find(id)!.Error.Message));
        Assert.Equal("Em8Em9Em10".Length, errors.Chars);
    }

    [Fact]
    public void Add_HugeTextsAndAWideChain_CutToTheBoundsAndWithinTheCharacterBudget()
    {
        var huge = new string('x', 1_000_000);
        var error = new RemoteError(huge, huge, huge) { Inner = [.. Enumerable.Repeat(new RemoteError(huge, huge, huge), 1000)] };
        var errors = new RecentErrors(kept: 100, maxChars: 1_000_000);

        errors.Add(1, "first", TaskState.Failed, error);
        errors.Add(2, "second", TaskState.Failed, error);

        var kept = errors.Find(2)!.Error;
        Assert.Equal(RemoteErrorBounds.MaxMessageLength, kept.Message.Length);
        Assert.Equal(RemoteErrorBounds.MaxStackLength, kept.StackTrace!.Length);
        Assert.Equal(RemoteErrorBounds.MaxInner, kept.Inner.Count);
        Assert.Equal(RemoteErrorBounds.MaxMessageLength, kept.Inner[0].Message.Length);
        // One bounded error is about 700 K characters: the budget keeps the newest and drops the older.
        Assert.Null(errors.Find(1));
        Assert.Equal(1, errors.Count);
        Assert.Equal(RecentErrors.Size(kept), errors.Chars);
        Assert.InRange(errors.Chars, 1, 1_000_000);
    }

    [Fact]
    public void View_ChainOfCauses_KeepsTheTreeShape()
    {
        var error = new RemoteError("System.AggregateException", "two", "at A")
        {
            Inner = [new("System.ArgumentException", "first", "at B") { Inner = [new("System.IO.IOException", "disk")] }, new("System.TimeoutException", "second")],
        };

        var view = RecentErrors.View(error);

        Assert.Equal(("System.AggregateException", "two", "at A"), (view.Type, view.Message, view.Stack));
        Assert.Equal(["first", "second"], view.Inner.Select(e => e.Message));
        Assert.Equal("at B", view.Inner[0].Stack);
        Assert.Equal("System.IO.IOException", Assert.Single(view.Inner[0].Inner).Type);
        Assert.Empty(view.Inner[1].Inner);
    }
}
