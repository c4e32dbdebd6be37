namespace FuncExec.Node.Components;

/// <summary>A file that travels with an assembly, or would if it had been found.</summary>
/// <param name="Name">Its path relative to the assembly on a node, with <c>/</c> separators, as in a published app.</param>
/// <param name="Source">Where it is here; null when it was found nowhere.</param>
/// <param name="LookedIn">Where it was looked for, in order.</param>
internal sealed record DependencyFile(string Name, string? Source, IReadOnlyList<string> LookedIn);
