namespace FuncExec.Core.Tests.Functions;

/// <summary>Methods with parameters the worker fills in, for the injection tests.</summary>
public static class ContextFunctions
{
    public const string Name = "FuncExec.Core.Tests.Functions.ContextFunctions";

    public static string Who(TaskContext ctx, int n) => $"task {ctx?.TaskId.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} got {n}";

    public static string Token(int n, CancellationToken token) => $"{n} cancelled={token.IsCancellationRequested} can={token.CanBeCanceled}";

    public static string Pick(int a) => "one";

    public static string Pick(int a, int b, CancellationToken token = default) => "two with token";

    public static string Pick(string a, TaskContext ctx) => "string with context";

    public static async Task<int> SumMessagesAsync(TaskContext ctx, int count)
    {
        var sum = 0;
        for (var i = 0; i < count; i++)
        {
            sum += await ctx.ReceiveAsync<int>(ctx.CancellationToken);
        }

        return sum;
    }
}
