namespace FuncExec.Cli.Bench;

/// <summary>A cell could not be measured: a task failed or returned the wrong value.</summary>
internal sealed class BenchRunException(string message) : Exception(message);
