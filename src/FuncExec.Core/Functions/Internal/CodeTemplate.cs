namespace FuncExec.Core.Functions.Internal;

/// <summary>
/// Wraps a code string into a compilable class: default usings, and a method
/// <c>Run(JsonElement[] args)</c> whose body is the code.
/// </summary>
/// <remarks>
/// <para>The code is placed after <c>#line 1 "code"</c>, so the compiler reports positions in the
/// user's own text; a diagnostic without that mapped path lies in the wrapper.</para>
/// <para>A code compiled alone is the class <see cref="TypeName"/> of the assembly
/// <c>FuncExec.UserCode.&lt;hash&gt;</c>. Codes compiled together share one assembly, each in its own
/// namespace (<see cref="BatchTypeName"/>), so their classes do not clash.</para>
/// </remarks>
internal static class CodeTemplate
{
    public const string Namespace = "FuncExec.UserCode";
    public const string ClassName = "Snippet";
    public const string TypeName = Namespace + "." + ClassName;
    public const string MethodName = "Run";
    public const string MappedPath = "code";

    /// <summary>The assembly name of an image: <c>FuncExec.UserCode.&lt;image name&gt;</c>.</summary>
    public static string AssemblyName(string imageName) => Namespace + "." + imageName;

    /// <summary>The namespace of the code of <paramref name="hash"/> when it is compiled together with others.</summary>
    public static string BatchNamespace(string hash) => Namespace + ".H" + hash;

    /// <summary>The type of the code of <paramref name="hash"/> when it is compiled together with others.</summary>
    public static string BatchTypeName(string hash) => BatchNamespace(hash) + "." + ClassName;

    /// <summary>The code as the body of <c>Run</c>, followed by <c>return null;</c> for code that returns nothing.</summary>
    public static string Statements(string code, bool isAsync, string @namespace = Namespace) => $$"""
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
    public static string Expression(string code, bool isAsync, string @namespace = Namespace) => $$"""
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

        public static class {{ClassName}}
        {
        """;

    private static string Signature(bool isAsync) => isAsync
        ? "public static async System.Threading.Tasks.Task<object?> Run(System.Text.Json.JsonElement[] args)"
        : "public static object? Run(System.Text.Json.JsonElement[] args)";
}
