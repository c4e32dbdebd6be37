using FuncExec.Protocol.V1;

namespace FuncExec.Worker;

/// <summary>
/// A lambda call's identity for the bound-method cache: method, assembly content and exact parameter
/// and type-argument types. A struct over the call itself, so a cache hit allocates nothing.
/// </summary>
internal readonly struct LambdaKey : IEquatable<LambdaKey>
{
    private readonly LambdaMethodCall _call;

    public LambdaKey(LambdaMethodCall call)
    {
        _call = call;
    }

    public bool Equals(LambdaKey other)
    {
        var a = _call;
        var b = other._call;
        return string.Equals(a.MethodName, b.MethodName, StringComparison.Ordinal)
            && string.Equals(a.Assembly?.Sha256, b.Assembly?.Sha256, StringComparison.Ordinal)
            && a.ParameterTypes.SequenceEqual(b.ParameterTypes, StringComparer.Ordinal)
            && a.GenericArguments.SequenceEqual(b.GenericArguments, StringComparer.Ordinal);
    }

    public override bool Equals(object? obj) => obj is LambdaKey other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(
        StringComparer.Ordinal.GetHashCode(_call.MethodName),
        _call.ParameterTypes.Count,
        _call.Assembly?.Sha256 is { } sha ? StringComparer.Ordinal.GetHashCode(sha) : 0);
}
