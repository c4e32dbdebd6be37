namespace FuncExec.Core.Tests.Functions.Lambdas;

/// <summary>A public method on a type the worker may not call.</summary>
internal static class HiddenJobs
{
    public static int Answer() => 42;
}
