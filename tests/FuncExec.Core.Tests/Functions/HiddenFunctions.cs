namespace FuncExec.Core.Tests.Functions;

internal static class HiddenFunctions
{
    public static int Secret() => 42;
}
