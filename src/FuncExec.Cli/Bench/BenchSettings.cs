using FuncExec.Protocol.Connections;

namespace FuncExec.Cli.Bench;

/// <summary>What <c>funcexec bench</c> was asked to do, checked.</summary>
/// <param name="Clients">The clients axis, ascending.</param>
/// <param name="Workers">The workers axis, ascending.</param>
/// <param name="Tasks">Tasks per cell, split across its clients.</param>
/// <param name="Task">The task every cell runs.</param>
/// <param name="Repeat">Runs per cell.</param>
/// <param name="Scheduler">The scheduler's <c>host:port</c>, or null for embedded clusters.</param>
/// <param name="Security">Secret and TLS for the scheduler.</param>
/// <param name="Csv">Where the CSV goes.</param>
/// <param name="Html">Where the HTML page goes.</param>
internal sealed record BenchSettings(
    IReadOnlyList<int> Clients,
    IReadOnlyList<int> Workers,
    int Tasks,
    BenchTask Task,
    int Repeat,
    string? Scheduler,
    TransportSecurity Security,
    FileInfo Csv,
    FileInfo Html);
