namespace FuncExec.Core.Tests.Functions.Lambdas;

/// <summary>Public static methods of one argument, the shapes a map's chunk runner handles, and some it does not.</summary>
public static class MapJobs
{
    private static int _calls;

    /// <summary>How many times <see cref="Counted"/> ran.</summary>
    public static int Calls => Volatile.Read(ref _calls);

    public static int Square(int x) => x * x;

    public static long Twice(long x) => 2 * x;

    public static double Inverse(double x) => 1 / x;

    public static bool Not(bool x) => !x;

    public static string? Echo(string? text) => text;

    public static int? Maybe(int? x) => x is null ? null : x + 1;

    public static JobOrder Bump(JobOrder order) => order with { Quantity = order.Quantity + 1 };

    public static JobPriority Raise(JobPriority priority) => priority == JobPriority.Low ? JobPriority.Urgent : priority;

    public static object Boxed(int x) => x;

    public static int WithToken(int x, CancellationToken cancellationToken) => cancellationToken.CanBeCanceled ? -x : x;

    public static int Counted(int x)
    {
        Interlocked.Increment(ref _calls);
        return x;
    }
}
