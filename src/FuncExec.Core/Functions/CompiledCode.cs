namespace FuncExec.Core.Functions;

/// <summary>A code string compiled to an assembly image, named by the hash of its text.</summary>
/// <param name="Hash">Lower-case hex SHA-256 of the code text (UTF-8).</param>
/// <param name="Image">The assembly image, shared rather than copied (do not modify it); load it with <see cref="CodeRunner"/>.</param>
/// <param name="TypeName">Full name of the type that holds the entry method.</param>
/// <param name="MethodName">Name of the entry method: <c>public static object? Run(JsonElement[] args)</c>, or its async form returning <c>Task&lt;object?&gt;</c>.</param>
/// <param name="ImageName">The image's name: its assembly is <c>FuncExec.UserCode.&lt;name&gt;</c> and its file <c>&lt;name&gt;.dll</c>.
/// It is <paramref name="Hash"/> for code compiled alone, and the name of the shared image for code compiled
/// together with others (as the client compiles a submission's codes), whose images hold many types; <see cref="Internal.CodeImage"/> names what is inside.</param>
internal sealed record CompiledCode(string Hash, byte[] Image, string TypeName, string MethodName, string ImageName);
