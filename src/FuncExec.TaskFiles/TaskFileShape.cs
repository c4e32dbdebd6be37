namespace FuncExec.TaskFiles;

/// <summary>What checking a whole task file found out, without keeping its tasks.</summary>
/// <param name="Count">How many tasks it has.</param>
/// <param name="Defaults">Its <c>defaults:</c>.</param>
/// <param name="WidestName">The name of the task that asks for the most cores (the first such).</param>
/// <param name="WidestSource">Where that task is: <c>file:line</c>.</param>
/// <param name="WidestCores">How many cores it asks for.</param>
internal sealed record TaskFileShape(int Count, TaskDefaults Defaults, string WidestName, string WidestSource, int WidestCores);
