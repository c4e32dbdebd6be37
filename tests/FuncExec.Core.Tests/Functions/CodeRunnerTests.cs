using FuncExec.Core.Functions;
using FuncExec.Tests.Files;

namespace FuncExec.Core.Tests.Functions;

public sealed class CodeRunnerTests
{
    private static readonly CodeCompiler Compiler = new();

    private readonly CodeRunner _runner = new();

    [Fact]
    public void Load_SameHashTwice_ReturnsCachedDelegate()
    {
        var compiled = Compiler.Compile("return args.Length;");

        var first = _runner.Load(compiled);

        Assert.Same(first, _runner.Load(compiled));
        Assert.Same(first, _runner.Load(compiled.Hash, compiled.Image));
        Assert.Equal(2, first(JsonArgs.Of("[1, 2]")));
    }

    [Fact]
    public void LoadFile_CachedImage_LoadsByHash()
    {
        using var directory = new TemporaryDirectory();
        var compiled = new CodeCompiler(directory.Path).Compile("return \"from file\";");

        var run = _runner.LoadFile(CodeCompiler.GetImagePath(directory.Path, compiled.Hash));

        Assert.Equal("from file", run([]));
        Assert.True(_runner.TryGetLoaded(compiled.Hash, out var loaded));
        Assert.Same(run, loaded);
    }

    [Fact]
    public void TryGetLoaded_UnknownHash_ReturnsFalse()
    {
        Assert.False(_runner.TryGetLoaded("0123", out var run));
        Assert.Null(run);
    }

    [Fact]
    public void Load_BadImage_ThrowsAndLetsAGoodImageFollow()
    {
        var compiled = Compiler.Compile("return 9;");

        Assert.Throws<BadImageFormatException>(() => _runner.Load(compiled.Hash, [1, 2, 3]));

        Assert.Equal(9, _runner.Load(compiled.Hash, compiled.Image)([]));
    }

    [Fact]
    public void Load_AsyncCode_WaitsForTheResult()
    {
        var run = _runner.Load(Compiler.Compile("await Task.Yield();\nreturn args[0].GetString() + \"!\";"));

        Assert.Equal("hi!", run(JsonArgs.Of("[\"hi\"]")));
    }

    [Fact]
    public void Load_AsyncCodeThrows_ExceptionPropagatesUnwrapped()
    {
        var run = _runner.Load(Compiler.Compile("await Task.Yield();\nthrow new ArgumentException(\"late\");"));

        var error = Assert.Throws<ArgumentException>(() => run([]));
        Assert.Equal("late", error.Message);
    }

    [Fact]
    public void Load_TwoRunners_EachLoadsItsOwnCopy()
    {
        var compiled = Compiler.Compile("return 10;");

        var other = new CodeRunner();

        Assert.Equal(10, _runner.Load(compiled)([]));
        Assert.Equal(10, other.Load(compiled)([]));
    }
}
