using System.Text.Json;
using FuncExec.Core.Tasks;

namespace FuncExec.IntegrationTests;

/// <summary>Short ways to write task specs in tests.</summary>
internal static class Tasks
{
    public static TaskSpec Method(string name, string function, params object[] args) => new()
    {
        Name = name,
        Kind = FunctionKind.Method,
        Function = function,
        Params = [.. args.Select(a => JsonSerializer.SerializeToElement(a))],
    };

    public static TaskSpec Code(string name, string code) => new() { Name = name, Kind = FunctionKind.Code, Code = code };

    public static TaskSpec Command(string name, string command, params string[] args) =>
        new() { Name = name, Kind = FunctionKind.Command, Command = command, Args = args };

    public static string CpusAllowed(int pid) =>
        File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))
            .Split(':')[1].Trim();

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds; true if it did.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }
}
