using BenchmarkDotNet.Attributes;
using FuncExec.Client.Compilation;

namespace FuncExec.Bench.Micro;

/// <summary>
/// What compiling <see cref="Codes"/> distinct code strings costs the client: one Roslyn compilation
/// each (<see cref="CodeCompiler.Compile"/>, the baseline) against a few shared compilations run in
/// parallel (<see cref="CodeCompiler.CompileMany"/>), and against reading them back from the disk cache.
/// </summary>
/// <remarks>
/// Every invocation uses a new compiler, so nothing comes from its memory cache; the compilations
/// without a cache directory touch no disk. Roslyn itself is warm (its first compilation, about a
/// second of JIT, happens in the warm-up), as it is for every code but the first of a run.
/// </remarks>
[MemoryDiagnoser]
public class CodeCompileBenchmarks
{
    private readonly string _cacheDirectory = Directory.CreateTempSubdirectory("funcexec-bench-code-").FullName;
    private string[] _codes = [];

    /// <summary>How many distinct code strings are compiled per invocation.</summary>
    [Params(200)]
    public int Codes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _codes = [.. Enumerable.Range(0, Codes).Select(i => $"return {i} * 3;")];
        new CodeCompiler(_cacheDirectory).CompileMany(_codes);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_cacheDirectory, recursive: true);

    [Benchmark(Baseline = true, Description = "Compile, one at a time")]
    public int CompileEach()
    {
        var compiler = new CodeCompiler();
        var total = 0;
        foreach (var code in _codes)
        {
            total += compiler.Compile(code).Image.Length;
        }

        return total;
    }

    [Benchmark(Description = "CompileMany")]
    public int CompileMany() => new CodeCompiler().CompileMany(_codes).Count;

    [Benchmark(Description = "CompileMany from the disk cache")]
    public int CompileManyCached() => new CodeCompiler(_cacheDirectory).CompileMany(_codes).Count;
}
