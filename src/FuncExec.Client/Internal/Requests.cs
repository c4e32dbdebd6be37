using FuncExec.Core.Text;

namespace FuncExec.Client.Internal;

/// <summary>Waits for the scheduler's answer to a request, at most a computation's <see cref="ComputationOptions.Timeout"/>.</summary>
internal static class Requests
{
    public static async Task<T> AnsweredAsync<T>(Task<T> request, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await request.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw Late(timeout, what);
        }
    }

    public static async Task AnsweredAsync(Task request, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        try
        {
            await request.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw Late(timeout, what);
        }
    }

    private static TimeoutException Late(TimeSpan timeout, string what) =>
        new($"the scheduler did not answer {what} within {Durations.Format(timeout)} (ComputationOptions.Timeout); it may be overloaded or unreachable");
}
