using FuncExec.Core.Functions.Internal;

namespace FuncExec.Client.Compilation;

/// <summary>
/// Wraps a code string into a compilable class: default usings, and a method
/// <c>Run(JsonElement[] args)</c> whose body is the code, named as <see cref="CodeImage"/> says.
/// </summary>
/// <remarks>
/// The code is placed after <c>#line 1 "code"</c>, so the compiler reports positions in the
/// user's own text; a diagnostic without that mapped path lies in the wrapper.
/// </remarks>
internal static class CodeTemplate
{
    public const string MappedPath = "code";

    /// <summary>The code as the body of <c>Run</c>, followed by <c>return null;</c> for code that returns nothing.</summary>
    public static string Statements(string code, bool isAsync, string @namespace = CodeImage.Namespace) => $$"""
        {{Header(@namespace)}}
            {{Signature(isAsync)}}
            {
        #line 1 "{{MappedPath}}"
        {{code}}
        #line default
                return null;
            }
        }
        """;

    /// <summary>The code as the expression <c>Run</c> returns.</summary>
    public static string Expression(string code, bool isAsync, string @namespace = CodeImage.Namespace) => $$"""
        {{Header(@namespace)}}
            {{Signature(isAsync)}}
            {
                return (
        #line 1 "{{MappedPath}}"
        {{code}}
        #line default
                );
            }
        }
        """;

    private static string Header(string @namespace) => $$"""
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Linq;
        using System.Numerics;
        using System.Text;
        using System.Text.Json;
        using System.Threading;
        using System.Threading.Tasks;

        #nullable enable
        // The appended "return null;" is unreachable when the code returns on every path.
        #pragma warning disable CS0162

        namespace {{@namespace}};

        public static class {{CodeImage.ClassName}}
        {
        """;

    private static string Signature(bool isAsync) => isAsync
        ? "public static async System.Threading.Tasks.Task<object?> Run(System.Text.Json.JsonElement[] args)"
        : "public static object? Run(System.Text.Json.JsonElement[] args)";
}
