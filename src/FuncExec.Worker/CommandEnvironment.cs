namespace FuncExec.Worker;

/// <summary>
/// The runtime variables a worker's node sets for the worker itself (no server or background GC, dynamic PGO, the
/// runtime's usual tiering delay on one core), which a command task's process does not inherit: a .NET program run as
/// a command starts with what the node's environment and its <c>WorkerEnvironment</c> gave, as it would without
/// FuncExec, and its own <c>runtimeconfig.json</c> is not overruled by the worker's settings.
/// </summary>
internal static class CommandEnvironment
{
    /// <summary>Where the launcher records the variables as they were before it set them: <c>NAME=value</c> entries
    /// (the value escaped as a URI's data), or <c>NAME</c> alone for one that was not set, separated by <c>;</c>.</summary>
    public const string Variable = "FUNCEXEC_COMMAND_RUNTIME";

    /// <summary>The variables the launcher sets for the worker's own runtime.</summary>
    public static readonly IReadOnlyList<string> RuntimeVariables =
        ["DOTNET_gcServer", "DOTNET_gcConcurrent", "DOTNET_TieredPGO", "DOTNET_TC_DelaySingleProcMultiplier"];

    /// <summary>Records in <paramref name="environment"/> its runtime variables as they are now, before the launcher
    /// sets them for the worker.</summary>
    public static void Record(IDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        environment[Variable] = string.Join(';', RuntimeVariables.Select(name =>
            environment.TryGetValue(name, out var value) && value is not null ? $"{name}={Uri.EscapeDataString(value)}" : name));
    }

    /// <summary>Gives <paramref name="environment"/> (a command's, copied from the worker's) back the runtime variables
    /// as recorded, and takes the record out; leaves it as it is when there is no record. Only the variables the
    /// launcher sets are touched, whatever else the record names.</summary>
    public static void Restore(IDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!environment.Remove(Variable, out var recorded) || string.IsNullOrEmpty(recorded))
        {
            return;
        }

        foreach (var entry in recorded.Split(';'))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? entry : entry[..equals];
            if (!RuntimeVariables.Contains(name, StringComparer.Ordinal))
            {
                continue;
            }

            if (equals < 0)
            {
                environment.Remove(name);
            }
            else
            {
                environment[name] = Uri.UnescapeDataString(entry[(equals + 1)..]);
            }
        }
    }
}
