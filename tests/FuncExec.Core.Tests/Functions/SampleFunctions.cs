namespace FuncExec.Core.Tests.Functions;

/// <summary>Public static methods the resolver tests call by name.</summary>
public static class SampleFunctions
{
    public const string Name = "FuncExec.Core.Tests.Functions.SampleFunctions";

    public static string Kind(int value) => "int";

    public static string Kind(long value) => "long";

    public static string Kind(double value) => "double";

    public static string Kind(string value) => "string";

    public static string Kind(char value) => "char";

    public static string Kind(bool value) => "bool";

    public static string Kind(int[] values) => "int[]";

    public static string Kind(string[] values) => "string[]";

    public static string Kind(SampleRect rect) => "rect";

    public static string Paint(SampleColor color) => color.ToString();

    public static int Code(char c) => c;

    public static string Greet(string name, string greeting = "Hello") => $"{greeting}, {name}!";

    public static int Sum(params int[] values) => values.Sum();

    public static string Join(string separator, params object[] values) => string.Join(separator, values);

    public static double Total(IReadOnlyList<double> values) => values.Sum();

    public static int AddOne(List<string> items)
    {
        items.Add("one");
        return items.Count;
    }

    public static int CountAll(IEnumerable<string> items) => items.Count();

    public static double Area(SampleRect rect) => rect.Width * rect.Height;

    public static int CountKeys(Dictionary<string, int> map) => map.Count;

    public static string Day(DateTime date) => date.DayOfWeek.ToString();

    public static int OffsetHours(DateTimeOffset value) => (int)value.Offset.TotalHours;

    public static double Minutes(TimeSpan span) => span.TotalMinutes;

    public static string GuidText(Guid id) => id.ToString("N");

    public static string Maybe(int? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none";

    public static string Pick(string value) => "string";

    public static string Pick(int[] value) => "int[]";

    public static decimal Money(decimal amount) => amount * 2;

    public static byte Small(byte value) => value;

    public static string Round(double value, SampleColor color = SampleColor.Blue) => color.ToString();

    public static async Task<int> DoubleLaterAsync(int value)
    {
        await Task.Yield();
        return value * 2;
    }

    public static async Task NothingLaterAsync() => await Task.Yield();

    public static ValueTask<string> EchoValueTask(string text) => ValueTask.FromResult(text);

    public static async ValueTask<int> SlowValueTaskAsync(int value)
    {
        await Task.Delay(1);
        return value + 1;
    }

    public static int Fail(string message) => throw new InvalidOperationException(message);

    public static async Task<int> FailLaterAsync(string message)
    {
        await Task.Yield();
        throw new InvalidOperationException(message);
    }

    public static int Noop(int value) => value;

    public static void Ignore(int value)
    {
    }

    public static string TypeName<T>(T value) => typeof(T).Name;

    public static string ElementTypeName<T>(IEnumerable<T> values) => typeof(T).Name;

    public static (int Quotient, int Remainder) Divide(int a, int b) => (a / b, a % b);

    public static int[][] Nest(int[][] values) => values;
}
