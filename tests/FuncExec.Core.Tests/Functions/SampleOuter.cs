namespace FuncExec.Core.Tests.Functions;

public static class SampleOuter
{
    public static class Inner
    {
        public static string Echo(string text) => "inner:" + text;
    }
}
