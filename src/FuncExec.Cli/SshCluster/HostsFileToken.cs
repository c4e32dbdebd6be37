namespace FuncExec.Cli.SshCluster;

/// <summary>One word of a hosts file line, unquoted, with the 1-based column where it starts.</summary>
internal readonly record struct HostsFileToken(string Text, int Column);
