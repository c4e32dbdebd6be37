using System.Collections.Concurrent;
using System.Text.Json;

namespace FuncExec.Core.Tests.Functions.Lambdas;

/// <summary>Public static methods the lambda tests capture and call.</summary>
public static class LambdaJobs
{
    public static ConcurrentQueue<string> Logged { get; } = new();

    public static int Add(int a, int b) => a + b;

    public static long Flops(long n, int size) => n * size * size;

    public static string Kind(int value) => "int";

    public static string Kind(long value) => "long";

    public static string Kind(double value) => "double";

    public static string Greet(string name, string greeting = "Hello") => $"{greeting}, {name}!";

    public static int Sum(int[] values) => values.Sum();

    public static string Join(List<string> items) => string.Join('|', items);

    public static double Half(double value) => value / 2;

    public static string Describe(JobOrder order) => $"{order.Quantity} for {order.Customer} ({order.Priority})";

    public static JobOrder Escalate(JobOrder order, JobPriority priority) => order with { Priority = priority };

    public static DateTime NextDay(DateTime day) => day.AddDays(1);

    public static int OrMinusOne(int? value) => value ?? -1;

    public static T[] Pair<T>(T first, T second) => [first, second];

    public static string Kinds<T>(IReadOnlyList<T> items) => $"{typeof(T).Name} x{items.Count}";

    public static async Task<int> DoubleLaterAsync(int value)
    {
        await Task.Yield();
        return value * 2;
    }

    public static async Task NothingLaterAsync(string message)
    {
        await Task.Yield();
        Logged.Enqueue(message);
    }

    public static void Log(string message) => Logged.Enqueue(message);

    public static string Show(object value) => value is JsonElement element ? element.GetRawText() : value.ToString()!;

    public static long Length(Stream stream) => stream.Length;

    public static int Run(Func<int> code) => code();

    public static void Swap(ref int a, ref int b) => (a, b) = (b, a);

    internal static int Secret() => 7;
}
