using System.Diagnostics.CodeAnalysis;

namespace FuncExec.Core.Tests.Functions.Lambdas;

/// <summary>A static method on a generic type, which a name alone cannot identify.</summary>
[SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "The shape under test.")]
public static class GenericJobs<T>
{
    public static T? Make() => default;
}
