using System.Buffers;
using System.Linq.Expressions;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using FuncExec.Core.Functions.Lambdas;

namespace FuncExec.Bench.Micro;

/// <summary>
/// What writing one item's arguments into a map's chunk costs the client, for a lambda that passes the item as it is
/// (<c>x => F(x, 1)</c>, the baseline) and one that computes an argument from it (<c>x => F(x % 1000, 1)</c>): the
/// computed argument compiled once for the map, against capturing each item's call on its own as maps of such
/// lambdas did before (which compiled the argument's expression again for every item).
/// </summary>
[MemoryDiagnoser]
public class MapCaptureBenchmarks
{
    private const int Items = 200;

    private static readonly Expression<Func<int, int>> Bare = x => Add(x, 1);
    private static readonly Expression<Func<int, int>> Computed = x => Add(x % 1000, 1);

    private readonly ArrayBufferWriter<byte> _buffer = new();
    private readonly Expression<Func<int, int>> _computedLambda = Computed;
    private MapCallTemplate<int> _bare = null!;
    private MapCallTemplate<int> _computed = null!;

    /// <summary>The job the lambdas call.</summary>
    public static int Add(int a, int b) => a + b;

    [GlobalSetup]
    public void Setup()
    {
        _bare = LambdaCapture.TryCaptureMap<int>(Bare) ?? throw new InvalidOperationException("no template for the bare lambda");
        _computed = LambdaCapture.TryCaptureMap<int>(Computed) ?? throw new InvalidOperationException("no template for the computed lambda");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Items, Description = "x => F(x, 1): template")]
    public int BareTemplate() => WriteAll(_bare);

    [Benchmark(OperationsPerInvoke = Items, Description = "x => F(x % 1000, 1): template, argument compiled once")]
    public int ComputedTemplate() => WriteAll(_computed);

    [Benchmark(OperationsPerInvoke = Items, Description = "x => F(x % 1000, 1): each item captured on its own")]
    public int ComputedEach()
    {
        var bytes = 0;
        for (var i = 0; i < Items; i++)
        {
            // The lambda's expression as the map held it, the item put in its parameter's place.
            var body = new Replacer(_computedLambda.Parameters[0], Expression.Constant(i, typeof(int))).Visit(_computedLambda.Body);
            bytes += LambdaCapture.Capture(Expression.Lambda(body)).ArgumentsJson.Length;
        }

        return bytes;
    }

    private int WriteAll(MapCallTemplate<int> template)
    {
        _buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_buffer))
        {
            writer.WriteStartArray();
            for (var i = 0; i < Items; i++)
            {
                template.Write(writer, i);
            }

            writer.WriteEndArray();
        }

        return _buffer.WrittenCount;
    }

    private sealed class Replacer(ParameterExpression parameter, Expression value) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == parameter ? value : base.VisitParameter(node);
    }
}
