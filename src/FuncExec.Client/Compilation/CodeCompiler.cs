using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FuncExec.Core.Functions;
using FuncExec.Core.Functions.Internal;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FuncExec.Client.Compilation;

/// <summary>
/// Compiles code strings (C# statements, or a single expression) into assembly images that
/// <see cref="CodeRunner"/> loads, once per distinct text.
/// </summary>
/// <remarks>
/// <para>The code becomes the body of <c>public static object? Run(JsonElement[] args)</c> in a
/// class with the usings <c>System</c>, <c>System.Collections.Generic</c>, <c>System.IO</c>,
/// <c>System.Linq</c>, <c>System.Numerics</c>, <c>System.Text</c>, <c>System.Text.Json</c>,
/// <c>System.Threading</c> and <c>System.Threading.Tasks</c>; code that returns nothing returns null.
/// Code that does not compile as statements but is a single expression (<c>Math.Sqrt(2)</c>) is
/// returned as the result. Code that uses <c>await</c> becomes an async method returning
/// <c>Task&lt;object?&gt;</c>. It compiles in release mode against the trusted platform assemblies.</para>
/// <para><see cref="CompileMany"/> compiles many codes a few hundred to a Roslyn compilation, each in
/// its own namespace of one shared image, the compilations in parallel: a compilation costs about as
/// much for one code as for dozens. A code whose result or error could differ that way compiles
/// alone, so the result of each code is the one <see cref="Compile(string)"/> gives.</para>
/// <para>Images are cached in memory by the SHA-256 of the text and, when a cache directory is
/// given, on disk: a code compiled alone as <c>&lt;dir&gt;/&lt;hash&gt;.dll</c>, an image shared by codes
/// compiled together as <c>&lt;dir&gt;/batch-&lt;sha256&gt;.dll</c> with a pointer <c>&lt;dir&gt;/&lt;hash&gt;.ref</c>
/// per code, so another process does not compile the same code again. Every file is written aside
/// and renamed into place. A cache file that cannot be written is skipped; one that is not the
/// expected image, or does not define the code's type, is replaced. Instances are safe to use from
/// many threads; each text compiles once.</para>
/// </remarks>
internal sealed partial class CodeCompiler
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly CSharpCompilationOptions CompilationOptions = new(
        OutputKind.DynamicallyLinkedLibrary,
        optimizationLevel: OptimizationLevel.Release,
        nullableContextOptions: NullableContextOptions.Enable,
        deterministic: true);

    private readonly ConcurrentDictionary<string, Lazy<CompiledCode>> _compiled = new(StringComparer.Ordinal);
    private int _emits;

    /// <summary>Creates a compiler.</summary>
    /// <param name="cacheDirectory">Where images are kept across processes; null keeps them in memory only. Created when first written.</param>
    public CodeCompiler(string? cacheDirectory = null)
    {
        CacheDirectory = cacheDirectory;
    }

    /// <summary>Where images are kept across processes, or null.</summary>
    public string? CacheDirectory { get; }

    /// <summary>The lower-case hex SHA-256 of the code's UTF-8 text: the name of its image.</summary>
    public static string ComputeHash(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));
    }

    /// <summary>The Roslyn compilations this instance has emitted, successful or not (one per image tried).</summary>
    internal int Emits => Volatile.Read(ref _emits);

    /// <summary>The path of the image of <paramref name="hash"/> in <paramref name="cacheDirectory"/>: <c>&lt;dir&gt;/&lt;hash&gt;.dll</c>.
    /// The same for an image shared by codes compiled together, with its name in place of the hash.</summary>
    public static string GetImagePath(string cacheDirectory, string hash) => Path.Combine(cacheDirectory, hash + ".dll");

    /// <summary>Compiles the code, or returns its image from the memory or disk cache.</summary>
    /// <exception cref="CodeCompilationException">The code does not compile; every error carries its line and column in the code.</exception>
    public CompiledCode Compile(string code) => Compile(code, ComputeHash(code));

    private CompiledCode Compile(string code, string hash)
    {
        var entry = _compiled.GetOrAdd(hash, static (h, text) => new Lazy<CompiledCode>(() => CompileUncached(text.Compiler, text.Code, h)), (Compiler: this, Code: code));
        try
        {
            return entry.Value;
        }
        catch (Exception ex) when (ex is not CodeCompilationException)
        {
            // Only a compile error is a property of the text; anything else may pass, so try again next time.
            _compiled.TryRemove(new KeyValuePair<string, Lazy<CompiledCode>>(hash, entry));
            throw;
        }
    }

    private static CompiledCode CompileUncached(CodeCompiler compiler, string code, string hash)
    {
        if (compiler.ReadCached(hash, images: null) is { } cached)
        {
            return cached;
        }

        var isAsync = UsesAwait(code);
        var isExpression = IsSingleExpression(code);
        var statements = CSharpSyntaxTree.ParseText(CodeTemplate.Statements(code, isAsync), ParseOptions);

        // Statements that do not even parse are not tried when the code is an expression: the
        // expression's errors are the ones that explain it.
        IReadOnlyList<Diagnostic> errors = [];
        if (!isExpression || !HasErrors(statements.GetDiagnostics()))
        {
            if (compiler.Emit([statements], hash, out errors) is { } image)
            {
                return compiler.Store(hash, image);
            }

            if (!isExpression)
            {
                throw Failure(code, errors);
            }
        }

        var expression = CSharpSyntaxTree.ParseText(CodeTemplate.Expression(code, isAsync), ParseOptions);
        if (compiler.Emit([expression], hash, out errors) is { } expressionImage)
        {
            return compiler.Store(hash, expressionImage);
        }

        // One statement without its semicolon, as people type on a command line
        // (`Console.WriteLine("hi")`, `throw new Exception("x")`): a void call or a throw is no value.
        var trimmed = code.TrimEnd();
        if (!trimmed.EndsWith(';') && !trimmed.EndsWith('}'))
        {
            var statement = CSharpSyntaxTree.ParseText(CodeTemplate.Statements(trimmed + ";", isAsync), ParseOptions);
            if (compiler.Emit([statement], hash, out _) is { } statementImage)
            {
                return compiler.Store(hash, statementImage);
            }
        }

        throw Failure(code, errors);
    }

    private byte[]? Emit(IEnumerable<SyntaxTree> trees, string imageName, out IReadOnlyList<Diagnostic> errors)
    {
        Interlocked.Increment(ref _emits);
        var compilation = CSharpCompilation.Create(CodeImage.AssemblyName(imageName), trees, CompilationReferences.All, CompilationOptions);
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        if (result.Success)
        {
            errors = [];
            return stream.ToArray();
        }

        var list = new List<Diagnostic>();
        foreach (var diagnostic in result.Diagnostics)
        {
            if (diagnostic.Severity == DiagnosticSeverity.Error)
            {
                list.Add(diagnostic);
            }
        }

        errors = list;
        return null;
    }

    private static CodeCompilationException Failure(string code, IReadOnlyList<Diagnostic> diagnostics)
    {
        var errors = new List<CompilationError>(diagnostics.Count);
        foreach (var diagnostic in diagnostics)
        {
            var span = diagnostic.Location.GetMappedLineSpan();
            var (line, column) = diagnostic.Location.IsInSource && span.HasMappedPath
                ? (span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1)
                : EndOf(code);
            errors.Add(new CompilationError(line, column, diagnostic.Id, diagnostic.GetMessage(CultureInfo.InvariantCulture)));
        }

        var message = new StringBuilder("code does not compile:");
        foreach (var error in errors)
        {
            message.Append('\n').Append(error);
        }

        return new CodeCompilationException(message.ToString(), errors);
    }

    /// <summary>The position after the code's last character: where an error in the wrapper (an unclosed brace) is reported.</summary>
    private static (int Line, int Column) EndOf(string code)
    {
        var lines = code.Split('\n');
        return (lines.Length, lines[^1].TrimEnd('\r').Length + 1);
    }

    private static bool HasErrors(IEnumerable<Diagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            if (diagnostic.Severity == DiagnosticSeverity.Error)
            {
                return true;
            }
        }

        return false;
    }

    private static bool UsesAwait(string code)
    {
        // Tokens, not text: "await" inside a string or a comment does not count.
        foreach (var token in SyntaxFactory.ParseTokens(code, options: ParseOptions))
        {
            if (token.IsKind(SyntaxKind.AwaitKeyword) || token.ValueText == "await")
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSingleExpression(string code)
    {
        var expression = SyntaxFactory.ParseExpression(code, options: ParseOptions, consumeFullText: true);
        return !expression.ContainsDiagnostics && expression is not IdentifierNameSyntax { IsMissing: true };
    }
}
