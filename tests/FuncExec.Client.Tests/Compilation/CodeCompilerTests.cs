using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FuncExec.Client.Compilation;
using FuncExec.Core.Functions;
using FuncExec.Tests.Files;
using FuncExec.Tests.Functions;

namespace FuncExec.Client.Tests.Compilation;

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
        Assert.Equal(compiled.Hash, compiled.ImageName);
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

    [Fact]
    public void CompileMany_ManyDistinctCodes_ShareImagesAndEachReturnsItsOwnResult()
    {
        var codes = Enumerable.Range(0, 40).Select(i => $"return {i} * 3;").ToList();
        var compiler = new CodeCompiler();

        var results = compiler.CompileMany(codes);

        var compiled = results.Select(r => r.Code!).ToList();
        Assert.All(results, r => Assert.True(r.Succeeded));
        var images = compiled.Select(c => c.ImageName).Distinct().ToList();
        Assert.InRange(images.Count, 1, codes.Count / 2);
        Assert.Equal(images.Count, compiler.Emits);
        Assert.All(images, name => Assert.StartsWith("batch-", name, StringComparison.Ordinal));
        Assert.Equal(codes.Count, compiled.Select(c => c.TypeName).Distinct().Count());
        for (var i = 0; i < codes.Count; i++)
        {
            Assert.Equal(CodeCompiler.ComputeHash(codes[i]), compiled[i].Hash);
            Assert.Equal($"FuncExec.UserCode.H{compiled[i].Hash}.Snippet", compiled[i].TypeName);
            Assert.Equal(i * 3, _runner.Load(compiled[i])([]));
        }
    }

    [Fact]
    public void CompileMany_BrokenExpressionAndMissingSemicolonCodes_GiveWhatEachGivesAlone()
    {
        string[] codes =
        [
            "return x;",
            "var a = 1;\nreturn a + y + z;",
            "Math.Sqrt(y)",
            "if (true)\n{",
            "Math.Sqrt(2)",
            "await Task.FromResult(8)",
            "throw new InvalidOperationException(\"x\")",
            "Console.Out.Flush()",
            "var x = 1;\nx++;",
            "return args.Length;",
            "return \"await\";",
            "await Task.Yield();\nreturn 7;",
            .. Enumerable.Range(0, 8).Select(i => $"return {i};"),
        ];

        var results = new CodeCompiler().CompileMany(codes);

        Assert.Equal(codes.Length, results.Count);
        for (var i = 0; i < codes.Length; i++)
        {
            var alone = new CodeCompiler();
            try
            {
                var expected = alone.Compile(codes[i]);
                Assert.True(results[i].Succeeded, codes[i]);
                Assert.Equal(Outcome(_runner.Load(expected)), Outcome(_runner.Load(results[i].Code!)));
            }
            catch (CodeCompilationException expected)
            {
                Assert.False(results[i].Succeeded, codes[i]);
                Assert.Equal(expected.Message, results[i].Error!.Message);
                Assert.Equal(expected.Errors, results[i].Error!.Errors);
            }
        }

        // The codes that compile as they are share an image; the others compiled alone.
        Assert.Equal(results[8].Code!.ImageName, results[^1].Code!.ImageName);
        Assert.Equal(results[6].Code!.Hash, results[6].Code!.ImageName);
    }

    [Fact]
    public void CompileMany_LongCodes_SplitIntoImagesOfBoundedSize()
    {
        var codes = Enumerable.Range(0, 6).Select(i => $"return \"{new string((char)('a' + i), 30_000)}\".Length + {i};").ToList();
        var compiler = new CodeCompiler();

        var results = compiler.CompileMany(codes);

        Assert.All(results.GroupBy(r => r.Code!.ImageName), image => Assert.Equal(2, image.Count()));
        Assert.Equal(30_005, _runner.Load(results[5].Code!)([]));
    }

    [Fact]
    public void CompileMany_SameTextTwice_CompilesItOnce()
    {
        var compiler = new CodeCompiler();

        var results = compiler.CompileMany(["return 1;", "return 2;", "return 1;", "return y;", "return y;"]);

        Assert.Same(results[0].Code, results[2].Code);
        Assert.Same(results[3].Error, results[4].Error);
        Assert.Same(results[0].Code, compiler.Compile("return 1;"));
        Assert.Same(results[3].Error, Assert.Throws<CodeCompilationException>(() => compiler.Compile("return y;")));
    }

    [Fact]
    public void CompileMany_WithCacheDirectory_AnotherCompilerServesTheCodesWithoutCompiling()
    {
        using var directory = new TemporaryDirectory();
        var codes = Enumerable.Range(0, 20).Select(i => $"return \"batched {i}\";").ToList();
        var first = new CodeCompiler(directory.Path).CompileMany(codes);
        var image = Assert.Single(first.Select(r => r.Code!.ImageName).Distinct());
        Assert.True(File.Exists(CodeCompiler.GetImagePath(directory.Path, image)));
        Assert.All(first, r => Assert.True(File.Exists(CodeCompiler.GetPointerPath(directory.Path, r.Code!.Hash))));
        Assert.Empty(Directory.GetFiles(directory.Path, "*.tmp"));

        var second = new CodeCompiler(directory.Path);
        var again = second.CompileMany(codes);
        var alone = new CodeCompiler(directory.Path);
        var one = alone.Compile(codes[7]);

        Assert.Equal(0, second.Emits);
        Assert.Equal(0, alone.Emits);
        Assert.Equal(first.Select(r => r.Code), again.Select(r => r.Code), CompiledCodeComparer.Instance);
        Assert.Equal(first[7].Code, one, CompiledCodeComparer.Instance);
        Assert.Equal("batched 7", _runner.Load(one)([]));
    }

    [Theory]
    [InlineData("not a pointer")]
    [InlineData("batch-0123\nFuncExec.UserCode.Snippet\n")]
    [InlineData("../../etc/passwd\n")]
    public void CompileMany_CorruptPointer_RecompilesThatCode(string content)
    {
        using var directory = new TemporaryDirectory();
        var codes = Enumerable.Range(0, 10).Select(i => $"return {i} + 100;").ToList();
        new CodeCompiler(directory.Path).CompileMany(codes);
        var path = CodeCompiler.GetPointerPath(directory.Path, CodeCompiler.ComputeHash(codes[3]));
        File.WriteAllText(path, content);

        var second = new CodeCompiler(directory.Path);
        var results = second.CompileMany(codes);

        Assert.Equal(1, second.Emits);
        Assert.Equal(103, _runner.Load(results[3].Code!)([]));
        var third = new CodeCompiler(directory.Path);
        Assert.Equal(103, _runner.Load(third.Compile(codes[3]))([]));
        Assert.Equal(0, third.Emits);
    }

    [Fact]
    public void CompileMany_PointerToAnImageWithoutTheCode_RecompilesIt()
    {
        using var directory = new TemporaryDirectory();
        var compiler = new CodeCompiler(directory.Path);
        var ours = compiler.CompileMany(["return 1;", "return 2;"]);
        var others = compiler.CompileMany(["return 3;", "return 4;"]);
        var pointer = CodeCompiler.GetPointerPath(directory.Path, ours[0].Code!.Hash);
        File.WriteAllText(pointer, File.ReadAllText(pointer).Replace(ours[0].Code!.ImageName, others[0].Code!.ImageName, StringComparison.Ordinal));

        var second = new CodeCompiler(directory.Path);
        var compiled = second.Compile("return 1;");

        Assert.Equal(1, second.Emits);
        Assert.Equal(1, _runner.Load(compiled)([]));
    }

    [Fact]
    public void CompileMany_CorruptSharedImage_RecompilesItsCodes()
    {
        using var directory = new TemporaryDirectory();
        var codes = Enumerable.Range(0, 10).Select(i => $"return {i} - 100;").ToList();
        var first = new CodeCompiler(directory.Path).CompileMany(codes);
        var image = CodeCompiler.GetImagePath(directory.Path, first[0].Code!.ImageName);
        File.WriteAllText(image, "not an assembly");

        var second = new CodeCompiler(directory.Path);
        var results = second.CompileMany(codes);

        Assert.Equal(1, second.Emits);
        Assert.Equal(-95, _runner.Load(results[5].Code!)([]));
        Assert.Equal(first[0].Code!.Image, File.ReadAllBytes(image));
    }

    [Fact]
    public void CompileMany_ManyCodesOnManyThreads_EachCompilesOnce()
    {
        var compiler = new CodeCompiler();
        var codes = Enumerable.Range(0, 30).Select(i => $"return {i};").ToList();
        var results = new IReadOnlyList<CodeCompileResult>[4];

        Parallel.For(0, results.Length, i => results[i] = compiler.CompileMany(codes));

        for (var i = 0; i < codes.Count; i++)
        {
            Assert.All(results, r => Assert.Same(results[0][i].Code, r[i].Code));
            Assert.Same(results[0][i].Code, compiler.Compile(codes[i]));
        }
    }

    /// <summary>What running the code gives: its value, or the type and message of what it threw.</summary>
    private static object? Outcome(Func<JsonElement[], object?> run)
    {
        try
        {
            return run(JsonArgs.Of("[1, 2]"));
        }
        catch (InvalidOperationException ex)
        {
            return (ex.GetType(), ex.Message);
        }
    }

    /// <summary>Compiled codes with the same content: the records compare their images by reference.</summary>
    private sealed class CompiledCodeComparer : IEqualityComparer<CompiledCode?>
    {
        public static readonly CompiledCodeComparer Instance = new();

        public bool Equals(CompiledCode? x, CompiledCode? y) =>
            x is not null && y is not null
            && x.Hash == y.Hash && x.TypeName == y.TypeName && x.MethodName == y.MethodName && x.ImageName == y.ImageName
            && x.Image.AsSpan().SequenceEqual(y.Image);

        public int GetHashCode(CompiledCode? obj) => obj?.Hash.GetHashCode(StringComparison.Ordinal) ?? 0;
    }
}
