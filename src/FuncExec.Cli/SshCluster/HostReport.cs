namespace FuncExec.Cli.SshCluster;

/// <summary>What happened on one host, as one line (and maybe some indented lines below it).</summary>
/// <param name="Host">The host.</param>
/// <param name="Ok">Whether the host is where the verb wanted it (started, stopped, running).</param>
/// <param name="Summary">The line's text after the host's name, e.g. <c>started, pid 4242, log ...</c>.</param>
internal sealed record HostReport(ClusterHost Host, bool Ok, string Summary)
{
    /// <summary>Lines to print under the summary: a log's end, what was installed.</summary>
    public IReadOnlyList<string> Details { get; init; } = [];

    /// <summary>The node's pid on the host, when one was found or started.</summary>
    public int? Pid { get; init; }

    /// <summary>The scheduler address the started node dials.</summary>
    public string? Scheduler { get; init; }

    /// <summary>The host as printed: its node name, and how it was written when that differs.</summary>
    public string Label => Host.Display == Host.Name ? Host.Name : $"{Host.Name} ({Host.Display})";

    /// <summary>The report as printed: <c>label: summary</c>, details indented below.</summary>
    public override string ToString() =>
        string.Join('\n', Details.Select(d => "    " + d).Prepend($"{Label}: {Summary}"));
}
