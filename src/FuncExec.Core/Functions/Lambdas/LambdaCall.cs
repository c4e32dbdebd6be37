namespace FuncExec.Core.Functions.Lambdas;

/// <summary>
/// A call to a public static method captured from a lambda by <see cref="LambdaCapture"/>: which
/// method, exactly, and its arguments already evaluated and written as JSON.
/// </summary>
/// <remarks>
/// Two calls are equal when they name the same method with the same parameter and generic argument
/// types and their arguments are the same JSON bytes.
/// </remarks>
/// <param name="MethodName">The method's full name, <c>Namespace.Type.Method</c>, nested types joined by <c>+</c>.</param>
/// <param name="AssemblyPath">
/// The path of the assembly that declares the method, to ship to the worker; empty for framework
/// assemblies in the runtime directory, which every worker has, and for assemblies with no file.
/// </param>
/// <param name="AssemblyName">The simple name of the assembly that declares the method, e.g. <c>MyApp.Jobs</c>.</param>
/// <param name="ParameterTypes">The assembly-qualified name of each parameter's type, so the worker binds this exact overload.</param>
/// <param name="GenericArguments">The assembly-qualified names of a generic method's type arguments; empty otherwise.</param>
/// <param name="ResultType">
/// What the call produces: <c>T</c> for a method returning <c>T</c>, <see cref="Task{TResult}"/> or
/// <see cref="ValueTask{TResult}"/>; <see cref="void"/> for <c>void</c>, <see cref="Task"/> and <see cref="ValueTask"/>.
/// </param>
/// <param name="ArgumentsJson">
/// The arguments as one UTF-8 JSON array, each written as its parameter's declared type; <c>null</c> for a
/// <see cref="TaskContext"/> or <see cref="CancellationToken"/> parameter, which the worker fills in.
/// </param>
internal sealed record LambdaCall(
    string MethodName,
    string AssemblyPath,
    string AssemblyName,
    IReadOnlyList<string> ParameterTypes,
    IReadOnlyList<string> GenericArguments,
    Type ResultType,
    byte[] ArgumentsJson)
{
    /// <inheritdoc />
    public bool Equals(LambdaCall? other) =>
        other is not null
        && string.Equals(MethodName, other.MethodName, StringComparison.Ordinal)
        && string.Equals(AssemblyPath, other.AssemblyPath, StringComparison.Ordinal)
        && string.Equals(AssemblyName, other.AssemblyName, StringComparison.Ordinal)
        && ParameterTypes.SequenceEqual(other.ParameterTypes, StringComparer.Ordinal)
        && GenericArguments.SequenceEqual(other.GenericArguments, StringComparer.Ordinal)
        && ResultType == other.ResultType
        && ArgumentsJson.AsSpan().SequenceEqual(other.ArgumentsJson);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(
        StringComparer.Ordinal.GetHashCode(MethodName),
        ParameterTypes.Count,
        ResultType,
        ArgumentsJson.Length);
}
