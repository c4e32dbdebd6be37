using FuncExec.Client.Compilation;
using FuncExec.Core.Functions;
using FuncExec.Tests.Files;
using FuncExec.Tests.Functions;

namespace FuncExec.Client.Tests.Compilation;

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

    [Fact]
    public void Load_CodesSharingAnImage_LoadsItOnceAndRunsEachCode()
    {
        var codes = Enumerable.Range(0, 12).Select(i => $"return \"shared {i}\";").ToList();
        var compiled = new CodeCompiler().CompileMany(codes).Select(r => r.Code!).ToList();
        Assert.Single(compiled.Select(c => c.ImageName).Distinct());

        var runs = compiled.Select(_runner.Load).ToList();

        Assert.Equal(codes.Select((_, i) => (object)$"shared {i}"), runs.Select(run => run([])));
        Assert.Single(runs.Select(run => run.Method.Module.Assembly).Distinct());
        Assert.Same(runs[3], _runner.Load(compiled[3]));
    }

    [Fact]
    public void LoadFile_SharedImage_OneEntryPointPerTypeFromOneLoad()
    {
        using var directory = new TemporaryDirectory();
        var compiled = new CodeCompiler(directory.Path).CompileMany(["return 1;", "return 2;", "return 3;"]).Select(r => r.Code!).ToList();
        var path = CodeCompiler.GetImagePath(directory.Path, compiled[0].ImageName);

        var runs = compiled.Select(c => _runner.LoadFile(path, c.TypeName, c.MethodName)).ToList();

        Assert.Equal([1, 2, 3], runs.Select(run => (int)run([])!));
        Assert.Single(runs.Select(run => run.Method.Module.Assembly).Distinct());
        Assert.Same(runs[1], _runner.LoadFile(path, compiled[1].TypeName, compiled[1].MethodName));
    }

    [Fact]
    public void LoadFile_TypeNotInTheImage_ThrowsAndOtherTypesStillLoad()
    {
        using var directory = new TemporaryDirectory();
        var compiled = new CodeCompiler(directory.Path).CompileMany(["return 5;", "return 6;"]).Select(r => r.Code!).ToList();
        var path = CodeCompiler.GetImagePath(directory.Path, compiled[0].ImageName);

        Assert.Throws<InvalidDataException>(() => _runner.LoadFile(path, "FuncExec.UserCode.Missing", "Run"));

        Assert.Equal(6, _runner.LoadFile(path, compiled[1].TypeName, compiled[1].MethodName)([]));
    }

    [Fact]
    public void Load_SingleAndSharedImages_RunSideBySide()
    {
        var alone = Compiler.Compile("return \"alone\";");
        var shared = new CodeCompiler().CompileMany(["return \"a\";", "return \"b\";"]);

        Assert.Equal("alone", _runner.Load(alone)([]));
        Assert.Equal("b", _runner.Load(shared[1].Code!)([]));
        Assert.Equal("a", _runner.Load(shared[0].Code!)([]));
    }
}
