namespace FuncExec.Core.Functions.Internal;

/// <summary>
/// The names inside a compiled code image: what the compiler that writes images and <see cref="CodeRunner"/>,
/// which loads them on a worker, agree on.
/// </summary>
/// <remarks>
/// A code compiled alone is the class <see cref="TypeName"/> of the assembly <c>FuncExec.UserCode.&lt;hash&gt;</c>.
/// Codes compiled together share one assembly, each in its own namespace (<see cref="BatchTypeName"/>), so their
/// classes do not clash. The entry method is <see cref="MethodName"/>.
/// </remarks>
internal static class CodeImage
{
    public const string Namespace = "FuncExec.UserCode";
    public const string ClassName = "Snippet";
    public const string TypeName = Namespace + "." + ClassName;
    public const string MethodName = "Run";

    /// <summary>The assembly name of an image: <c>FuncExec.UserCode.&lt;image name&gt;</c>.</summary>
    public static string AssemblyName(string imageName) => Namespace + "." + imageName;

    /// <summary>The namespace of the code of <paramref name="hash"/> when it is compiled together with others.</summary>
    public static string BatchNamespace(string hash) => Namespace + ".H" + hash;

    /// <summary>The type of the code of <paramref name="hash"/> when it is compiled together with others.</summary>
    public static string BatchTypeName(string hash) => BatchNamespace(hash) + "." + ClassName;
}
