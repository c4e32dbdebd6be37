using FuncExec.Core.Functions;
using FuncExec.Core.Functions.Internal;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FuncExec.Client.Compilation;

/// <summary>Compiling many codes together: one Roslyn compilation per batch, batches in parallel.</summary>
internal sealed partial class CodeCompiler
{
    /// <summary>Most codes in one compilation: enough to spread its fixed cost, few enough that the batches of a large set keep every core busy.</summary>
    private const int MaxBatchSize = 256;

    /// <summary>Fewest codes in one compilation when a set is split to use more cores: below it the fixed cost dominates.</summary>
    private const int MinBatchSize = 16;

    /// <summary>Most characters of code in one compilation, so a shared image stays far below the size a scheduler or node accepts for a component file
    /// (10 MiB by default) while each code alone would pass.</summary>
    private const int MaxBatchChars = 64 * 1024;

    /// <summary>
    /// Compiles many codes, each as <see cref="Compile(string)"/> would, but a few hundred to a Roslyn compilation
    /// and the compilations in parallel.
    /// </summary>
    /// <remarks>
    /// <para>Codes in the memory or disk cache are taken from there, and a text given twice compiles once.
    /// The rest compile together, each in its own namespace of one shared image (<see cref="CompiledCode.ImageName"/>),
    /// in the form <see cref="Compile(string)"/> tries first: statements when they parse, else the single expression.
    /// A code that does not compile that way (one with an error, a statement missing its semicolon)
    /// compiles alone instead, so its result or error is exactly the one <see cref="Compile(string)"/> gives,
    /// and one code's error never fails another.</para>
    /// <para>Only reflection tells the two apart: code that asks for its own type or assembly sees
    /// <c>FuncExec.UserCode.H&lt;hash&gt;.Snippet</c> in the shared assembly.</para>
    /// </remarks>
    /// <param name="codes">The codes; duplicates are allowed.</param>
    /// <returns>One result per code, in the order given.</returns>
    public IReadOnlyList<CodeCompileResult> CompileMany(IReadOnlyList<string> codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        var hashes = new string[codes.Count];
        var pending = new List<PendingCode>();
        var images = new Dictionary<string, SharedImage?>(StringComparer.Ordinal);
        for (var i = 0; i < codes.Count; i++)
        {
            var code = codes[i];
            var hash = hashes[i] = ComputeHash(code);
            if (_compiled.ContainsKey(hash))
            {
                continue;
            }

            if (ReadCached(hash, images) is { } cached)
            {
                _compiled.TryAdd(hash, new Lazy<CompiledCode>(cached));
                continue;
            }

            // The entry is taken now, so a Compile of the same text on another thread waits for this
            // batch instead of compiling it again; a code the batch leaves out compiles alone.
            var gate = new TaskCompletionSource<CompiledCode?>(TaskCreationOptions.RunContinuationsAsynchronously);
            var entry = new Lazy<CompiledCode>(() => gate.Task.GetAwaiter().GetResult() ?? CompileUncached(this, code, hash));
            if (_compiled.TryAdd(hash, entry))
            {
                pending.Add(new PendingCode(hash, code, gate));
            }
        }

        var batches = Split(pending);
        if (batches.Count == 1)
        {
            CompileBatch(batches[0]);
        }
        else
        {
            Parallel.ForEach(batches, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, CompileBatch);
        }

        var results = new CodeCompileResult[codes.Count];
        var byHash = new Dictionary<string, CodeCompileResult>(StringComparer.Ordinal);
        for (var i = 0; i < codes.Count; i++)
        {
            if (!byHash.TryGetValue(hashes[i], out var result))
            {
                result = Result(codes[i], hashes[i]);
                byHash.Add(hashes[i], result);
            }

            results[i] = result;
        }

        return results;
    }

    /// <summary>
    /// Batches of about equal size: as few as <see cref="MaxBatchSize"/> allows, more (down to
    /// <see cref="MinBatchSize"/> each) to use every core, and none over <see cref="MaxBatchChars"/>
    /// of code unless it is one code.
    /// </summary>
    private static List<List<PendingCode>> Split(List<PendingCode> pending)
    {
        var batches = new List<List<PendingCode>>();
        if (pending.Count == 0)
        {
            return batches;
        }

        var count = Math.Max(
            (pending.Count + MaxBatchSize - 1) / MaxBatchSize,
            Math.Min(Environment.ProcessorCount, Math.Max(pending.Count / MinBatchSize, 1)));
        var size = (pending.Count + count - 1) / count;
        var batch = new List<PendingCode>(size);
        var chars = 0L;
        foreach (var code in pending)
        {
            if (batch.Count == size || (batch.Count > 0 && chars + code.Code.Length > MaxBatchChars))
            {
                batches.Add(batch);
                batch = new List<PendingCode>(size);
                chars = 0;
            }

            batch.Add(code);
            chars += code.Code.Length;
        }

        batches.Add(batch);
        return batches;
    }

    private void CompileBatch(List<PendingCode> batch)
    {
        var alone = new List<PendingCode>();
        try
        {
            var members = new List<(SyntaxTree Tree, PendingCode Code)>(batch.Count);
            foreach (var code in batch.OrderBy(c => c.Hash, StringComparer.Ordinal))
            {
                if (batch.Count > 1 && BatchTree(code) is { } tree)
                {
                    members.Add((tree, code));
                }
                else
                {
                    alone.Add(code);
                }
            }

            alone.AddRange(EmitTogether(members));
        }
        finally
        {
            // Whatever the batch did not compile (or all of it, if compiling failed) compiles alone.
            foreach (var code in batch)
            {
                code.Gate.TrySetResult(null);
            }
        }

        // Here rather than when the result is asked for, so these compile in parallel too.
        foreach (var code in alone)
        {
            Result(code.Code, code.Hash);
        }
    }

    /// <summary>Emits the members as one image; drops the codes that carry an error and emits the rest again.</summary>
    /// <returns>The codes left to compile alone.</returns>
    private List<PendingCode> EmitTogether(List<(SyntaxTree Tree, PendingCode Code)> members)
    {
        var dropped = new List<PendingCode>();

        // A lone code gains nothing from a shared image: it compiles alone, as Compile would.
        while (members.Count > 1)
        {
            var imageName = SharedImageName(members.Select(m => m.Code.Hash));
            if (Emit(members.Select(m => m.Tree), imageName, out var errors) is { } image)
            {
                foreach (var (_, code) in members)
                {
                    code.Gate.TrySetResult(new CompiledCode(code.Hash, image, CodeImage.BatchTypeName(code.Hash), CodeImage.MethodName, imageName));
                }

                StoreShared(imageName, image, members.Select(m => m.Code.Hash));
                return dropped;
            }

            var failing = errors.Select(e => e.Location.SourceTree).OfType<SyntaxTree>().ToHashSet();
            var kept = members.Where(m => !failing.Contains(m.Tree)).ToList();
            if (kept.Count == members.Count)
            {
                // Errors that lie in no one code (the compilation as a whole): each compiles alone.
                break;
            }

            dropped.AddRange(members.Where(m => failing.Contains(m.Tree)).Select(m => m.Code));
            members = kept;
        }

        dropped.AddRange(members.Select(m => m.Code));
        return dropped;
    }

    /// <summary>
    /// The code in its own namespace, in the template <see cref="Compile(string)"/> tries first: statements when
    /// they parse, else the single expression. Null when neither parses: compiled alone, it reports its errors.
    /// </summary>
    private static SyntaxTree? BatchTree(PendingCode code)
    {
        var isAsync = UsesAwait(code.Code);
        var @namespace = CodeImage.BatchNamespace(code.Hash);
        var tree = CSharpSyntaxTree.ParseText(CodeTemplate.Statements(code.Code, isAsync, @namespace), ParseOptions);
        if (!HasErrors(tree.GetDiagnostics()))
        {
            return tree;
        }

        if (!IsSingleExpression(code.Code))
        {
            return null;
        }

        tree = CSharpSyntaxTree.ParseText(CodeTemplate.Expression(code.Code, isAsync, @namespace), ParseOptions);
        return HasErrors(tree.GetDiagnostics()) ? null : tree;
    }

    private CodeCompileResult Result(string code, string hash)
    {
        try
        {
            return new CodeCompileResult(Compile(code, hash));
        }
        catch (CodeCompilationException ex)
        {
            return new CodeCompileResult(ex);
        }
    }

    /// <summary>A code the batch compiles, and where its image goes: null when it is to compile alone.</summary>
    private sealed record PendingCode(string Hash, string Code, TaskCompletionSource<CompiledCode?> Gate);
}
