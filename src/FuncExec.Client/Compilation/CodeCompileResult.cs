using System.Diagnostics.CodeAnalysis;
using FuncExec.Core.Functions;

namespace FuncExec.Client.Compilation;

/// <summary>What compiling one code string gave: its image, or the error that compiling it alone gives.</summary>
internal sealed class CodeCompileResult
{
    internal CodeCompileResult(CompiledCode code)
    {
        Code = code;
    }

    internal CodeCompileResult(CodeCompilationException error)
    {
        Error = error;
    }

    /// <summary>The compiled code, or null when it does not compile.</summary>
    public CompiledCode? Code { get; }

    /// <summary>Why the code does not compile, or null when it does.</summary>
    public CodeCompilationException? Error { get; }

    /// <summary>Whether the code compiled (<see cref="Code"/> is set) or not (<see cref="Error"/> is).</summary>
    [MemberNotNullWhen(true, nameof(Code))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Code is not null;
}
