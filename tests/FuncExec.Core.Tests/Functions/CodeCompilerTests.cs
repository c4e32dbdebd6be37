using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FuncExec.Core.Errors;
using FuncExec.Core.Functions;
using FuncExec.Tests.Files;

namespace FuncExec.Core.Tests.Functions;

public sealed class CodeCompilerTests
{
    private readonly CodeCompiler _compiler = new();
    private readonly CodeRunner _runner = new();

    private object? Run(string code, params JsonElement[] args) => _runner.Load(_compiler.Compile(code))(args);

    [Fact]
    public void Compile_StatementsWithReturn_ReturnsTheValue()
    {
        Assert.Equal(55, Run("return Enumerable.Range(1, 10).Sum();"));
    }

    [Theory]
    [InlineData("Math.Sqrt(2)", 1.4142135623730951)]
    [InlineData("Enumerable.Range(1, 10).Sum()", 55)]
    [InlineData("BigInteger.Pow(2, 10).ToString()", "1024")]
    public void Compile_SingleExpression_ReturnsItsValue(string code, object expected)
    {
        Assert.Equal(expected, Run(code));
    }

    [Fact]
    public void Compile_StatementsWithoutReturn_ReturnsNull()
    {
        Assert.Null(Run("var x = 1;\nx++;"));
    }

    [Fact]
    public void Compile_CodeReadingArgs_SeesTheArguments()
    {
        Assert.Equal(42, Run("return args[0].GetInt32() * args.Length;", JsonArgs.Of("[21, \"x\"]")));
    }

    [Fact]
    public void Compile_CodeWithAwait_RunsAsync()
    {
        var code = "await Task.Delay(1);\nreturn 7;";

        Assert.Equal(7, Run(code));
        Assert.Equal(8, Run("await Task.FromResult(8)"));
    }

    [Fact]
    public void Compile_AwaitOnlyInString_StaysSynchronous()
    {
        Assert.Equal("await", Run("return \"await\";"));
    }

    [Fact]
    public void Compile_UndefinedName_ReportsUserLineAndColumn()
    {
        var error = Assert.Throws<CodeCompilationException>(() => _compiler.Compile("return x;"));

        Assert.Equal("code does not compile:\n(1,8): error CS0103: The name 'x' does not exist in the current context", error.Message);
        var only = Assert.Single(error.Errors);
        Assert.Equal(new CompilationError(1, 8, "CS0103", "The name 'x' does not exist in the current context"), only);
    }

    [Fact]
    public void Compile_ErrorsOnLaterLines_ReportsEachPosition()
    {
        var error = Assert.Throws<CodeCompilationException>(() => _compiler.Compile("var a = 1;\nreturn a + y + z;"));

        Assert.Equal([(2, 12), (2, 16)], error.Errors.Select(e => (e.Line, e.Column)));
        Assert.All(error.Errors, e => Assert.Equal("CS0103", e.Id));
    }

    [Fact]
    public void Compile_ExpressionWithError_ReportsTheExpressionError()
    {
        var error = Assert.Throws<CodeCompilationException>(() => _compiler.Compile("Math.Sqrt(y)"));

        Assert.Equal("code does not compile:\n(1,11): error CS0103: The name 'y' does not exist in the current context", error.Message);
    }

    [Fact]
    public void Compile_UnclosedBrace_ReportsAtTheEndOfTheCode()
    {
        var error = Assert.Throws<CodeCompilationException>(() => _compiler.Compile("if (true)\n{"));

        Assert.Contains(error.Errors, e => e.Line == 2 && e.Column == 2 && e.Id == "CS1513");
    }

    [Fact]
    public void Compile_SameCodeTwice_CompilesOnce()
    {
        var first = _compiler.Compile("return 1;");

        Assert.Same(first, _compiler.Compile("return 1;"));
    }

    [Fact]
    public void Compile_Code_HashIsLowerHexSha256OfText()
    {
        const string Code = "return 2;";

        var compiled = _compiler.Compile(Code);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Code))), compiled.Hash);
        Assert.Equal(compiled.Hash, CodeCompiler.ComputeHash(Code));
        Assert.Matches("^[0-9a-f]{64}$", compiled.Hash);
        Assert.Equal("FuncExec.UserCode.Snippet", compiled.TypeName);
        Assert.Equal("Run", compiled.MethodName);
    }

    [Fact]
    public void Compile_WithCacheDirectory_WritesImageAndAnotherCompilerReadsIt()
    {
        using var directory = new TemporaryDirectory();
        const string Code = "return \"cached\";";
        var compiled = new CodeCompiler(directory.Path).Compile(Code);
        var path = CodeCompiler.GetImagePath(directory.Path, compiled.Hash);
        Assert.Equal(Path.Combine(directory.Path, compiled.Hash + ".dll"), path);
        var marker = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, marker);

        var again = new CodeCompiler(directory.Path).Compile(Code);

        Assert.Equal(compiled.Image, again.Image);
        Assert.Equal(marker, File.GetLastWriteTimeUtc(path));
        Assert.Single(Directory.GetFiles(directory.Path));
    }

    [Fact]
    public void Compile_CorruptCacheFile_RecompilesAndReplacesIt()
    {
        using var directory = new TemporaryDirectory();
        const string Code = "return 3;";
        var path = CodeCompiler.GetImagePath(directory.Path, CodeCompiler.ComputeHash(Code));
        File.WriteAllText(path, "not an assembly");

        var compiled = new CodeCompiler(directory.Path).Compile(Code);

        Assert.Equal(compiled.Image, File.ReadAllBytes(path));
        Assert.Equal(3, _runner.Load(compiled)([]));
    }

    [Fact]
    public void Compile_UnwritableCacheDirectory_StillCompiles()
    {
        using var directory = new TemporaryDirectory();
        var blocked = Path.Combine(directory.Path, "file");
        File.WriteAllText(blocked, string.Empty);

        var compiled = new CodeCompiler(Path.Combine(blocked, "cache")).Compile("return 4;");

        Assert.Equal(4, _runner.Load(compiled)([]));
    }

    [Fact]
    public void Compile_ManyThreadsSameCode_ReturnsOneResult()
    {
        var results = new CompiledCode[8];

        Parallel.For(0, results.Length, i => results[i] = _compiler.Compile("return 5;"));

        Assert.All(results, r => Assert.Same(results[0], r));
    }

    [Fact]
    public void Compile_CodeThrows_ExceptionPropagatesUnwrapped()
    {
        var run = _runner.Load(_compiler.Compile("throw new InvalidOperationException(\"bad\");"));

        var error = Assert.Throws<InvalidOperationException>(() => run([]));
        Assert.Equal("bad", error.Message);
    }

    [Theory]
    [InlineData("throw new InvalidOperationException(\"x\")")]
    [InlineData("Console.Out.Flush()")]
    public void Compile_OneStatementWithoutItsSemicolon_CompilesAsThatStatement(string code)
    {
        var compiled = new CodeCompiler().Compile(code);

        Assert.NotEmpty(compiled.Image);
    }
}
