namespace FuncExec.Cli.SshCluster;

/// <summary>How one <c>ssh</c> run ended: its exit code and everything it printed.</summary>
/// <remarks>
/// The remote scripts report on standard output in lines that start with <see cref="RemoteScripts.Marker"/>
/// (<c>@fx started 4242 /home/alice/.funcexec/node-n1.log 10.0.0.5:9700</c>), so that whatever a login
/// script prints around them cannot be mistaken for a report.
/// </remarks>
internal sealed record SshResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>ssh's own exit code when it could not connect, log in, or lost the connection; a remote command's own codes are lower.</summary>
    public const int SshFailed = 255;

    /// <summary>
    /// The reports the remote script printed, in order, each as three fields: the verb, the pid or
    /// kind, and the rest of the line (a path or a message, blanks and all); missing fields are empty.
    /// </summary>
    public IReadOnlyList<string[]> Reports =>
        [.. Lines(Stdout)
            .Where(line => line.StartsWith(RemoteScripts.Marker + " ", StringComparison.Ordinal) && !line.StartsWith(RemoteScripts.LogMarker, StringComparison.Ordinal))
            .Select(line => line[(RemoteScripts.Marker.Length + 1)..].Split(' ', 3))
            .Select(fields => fields.Length == 3 ? fields : [.. fields, .. Enumerable.Repeat(string.Empty, 3 - fields.Length)])];

    /// <summary>The first report with this verb, or null.</summary>
    public string[]? Report(string verb) => Reports.FirstOrDefault(r => r[0] == verb);

    /// <summary>The lines the script quoted from the node's log.</summary>
    public IReadOnlyList<string> LogLines =>
        [.. Lines(Stdout)
            .Where(line => line.StartsWith(RemoteScripts.LogMarker, StringComparison.Ordinal))
            .Select(line => line[RemoteScripts.LogMarker.Length..])];

    /// <summary>The last line ssh or the remote shell wrote to standard error, or empty.</summary>
    public string LastError => Lines(Stderr).LastOrDefault(line => line.Trim().Length > 0)?.Trim() ?? string.Empty;

    private static IEnumerable<string> Lines(string text) => text.Split('\n').Select(line => line.TrimEnd('\r'));
}
