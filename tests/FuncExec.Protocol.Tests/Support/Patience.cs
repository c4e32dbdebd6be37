namespace FuncExec.Protocol.Tests.Support;

/// <summary>How long a test waits for something that should happen at once, before it fails instead of hanging.</summary>
internal static class Patience
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Timeout);

    public static Task Within(this Task task) => task.WaitAsync(Timeout);

    public static Task<T> Within<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Timeout);

    public static Task Within(this ValueTask task) => task.AsTask().WaitAsync(Timeout);
}
