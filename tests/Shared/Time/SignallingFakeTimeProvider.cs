using Microsoft.Extensions.Time.Testing;

namespace FuncExec.Tests.Time;

/// <summary>A <see cref="FakeTimeProvider"/> that says when the code under test has armed its first timer, so a test
/// advances the clock only once there is a timeout to run out (advancing before would be lost).</summary>
internal sealed class SignallingFakeTimeProvider : FakeTimeProvider
{
    private readonly TaskCompletionSource _timerCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the first timer is created.</summary>
    public Task TimerCreated => _timerCreated.Task;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _timerCreated.TrySetResult();
        return timer;
    }
}
