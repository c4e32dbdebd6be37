namespace FuncExec.TestJobs.Formatting;

/// <summary>A dependency of the test jobs: it must travel with their assembly.</summary>
public static class Greeting
{
    public static string Format(string name) => $"hello, {name}";
}
