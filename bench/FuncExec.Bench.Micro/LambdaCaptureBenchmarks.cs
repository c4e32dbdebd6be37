using System.Linq.Expressions;
using BenchmarkDotNet.Attributes;
using FuncExec.Core.Functions.Lambdas;

namespace FuncExec.Bench.Micro;

/// <summary>
/// What capturing one lambda call costs the client (<c>SubmitAsync(() => Jobs.F(...))</c>), by the kind of its argument:
/// a captured variable (read by reflection, the baseline) and an expression of it (interpreted).
/// </summary>
[MemoryDiagnoser]
public class LambdaCaptureBenchmarks
{
    private readonly int _value = 21;

    /// <summary>The job the lambdas call.</summary>
    public static int Add(int a, int b) => a + b;

    [Benchmark(Baseline = true, Description = "() => F(i, 1)")]
    public int Variable()
    {
        var i = _value;
        return LambdaCapture.Capture(() => Add(i, 1)).ArgumentsJson.Length;
    }

    [Benchmark(Description = "() => F(i * 2, 1)")]
    public int Computed()
    {
        var i = _value;
        return LambdaCapture.Capture(() => Add(i * 2, 1)).ArgumentsJson.Length;
    }

    [Benchmark(Description = "() => F(i * 2, 1), compiled (before)")]
    public object? ComputedCompiled()
    {
        var i = _value;
        Expression<Func<int>> call = () => Add(i * 2, 1);
        var argument = ((MethodCallExpression)call.Body).Arguments[0];
        return Expression.Lambda<Func<object?>>(Expression.Convert(argument, typeof(object))).Compile()();
    }
}
