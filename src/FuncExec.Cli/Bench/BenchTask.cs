using System.Globalization;
using System.Linq.Expressions;
using System.Text.Json;
using FuncExec.Core.Tasks;

namespace FuncExec.Cli.Bench;

/// <summary>The task every cell runs: <c>noop</c> (returns its argument) or <c>spin:MS</c> (spins until its
/// worker has used MS milliseconds of CPU, then returns its argument). Every task gets its own argument and its result is checked.</summary>
internal sealed record BenchTask(int SpinMilliseconds)
{
    private static readonly string AssemblyPath = typeof(BenchJobs).Assembly.Location;

    public string Name => SpinMilliseconds == 0 ? "noop" : string.Create(CultureInfo.InvariantCulture, $"spin:{SpinMilliseconds}");

    /// <summary>Parses <c>noop</c> or <c>spin:MS</c>.</summary>
    /// <exception cref="FormatException">Neither.</exception>
    public static BenchTask Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text == "noop")
        {
            return new BenchTask(0);
        }

        if (text.StartsWith("spin:", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            && milliseconds is > 0 and <= 3_600_000)
        {
            return new BenchTask(milliseconds);
        }

        throw new FormatException($"'{text}' is not a task; expected noop, or spin:MS with MS whole milliseconds from 1 (spin:10)");
    }

    /// <summary>The task for the batch path (<c>ICluster.RunAsync</c>): a method of this assembly by name.</summary>
    public TaskSpec Spec(int argument) => new()
    {
        Name = Name,
        Kind = FunctionKind.Method,
        Function = SpinMilliseconds == 0 ? "FuncExec.Cli.Bench.BenchJobs.Noop" : "FuncExec.Cli.Bench.BenchJobs.Spin",
        Assembly = AssemblyPath,
        Params = SpinMilliseconds == 0
            ? [JsonSerializer.SerializeToElement(argument)]
            : [JsonSerializer.SerializeToElement(SpinMilliseconds), JsonSerializer.SerializeToElement(argument)],
    };

    /// <summary>The task for a computation (<c>SubmitAtAsync</c>): a lambda calling the same method.</summary>
    public Expression<Func<int>> Call(int argument)
    {
        var milliseconds = SpinMilliseconds;
        return milliseconds == 0 ? () => BenchJobs.Noop(argument) : () => BenchJobs.Spin(milliseconds, argument);
    }

    /// <summary>Tasks to run on a fresh cluster before timing: enough to ship the assembly, start every worker's
    /// computation and JIT the hot paths, but short for spinning tasks.</summary>
    public int WarmupTasks(int workers, int clients) =>
        SpinMilliseconds == 0 ? Math.Max(4000, 4 * workers * clients) : 2 * workers * clients;
}
