using System.Globalization;
using FuncExec.Core.Text;

namespace FuncExec.Cli.SshCluster;

/// <summary>The <c>ssh</c> command line for one host: its settings, then the options that keep a run unattended.</summary>
/// <remarks>
/// ssh keeps the first value it is given for an option, so the hosts file's <c>-o</c> options come
/// before the defaults here (a host may lengthen <c>ConnectTimeout</c>), and <c>BatchMode=yes</c>
/// comes before them all: a password, passphrase or host-key prompt would wait forever for a user
/// who is not there, so ssh fails instead, and the failure is reported.
/// </remarks>
internal static class SshCommand
{
    /// <summary>Seconds ssh waits for a host to answer unless the hosts file says otherwise.</summary>
    public const int DefaultConnectTimeoutSeconds = 10;

    /// <summary>The arguments of <c>ssh</c> that run <paramref name="remoteCommand"/> on <paramref name="host"/>.</summary>
    /// <param name="host">The host and its ssh settings.</param>
    /// <param name="remoteCommand">A command line for the remote shell, quoted with <see cref="ShellQuote"/>.</param>
    public static IReadOnlyList<string> Arguments(ClusterHost host, string remoteCommand)
    {
        ArgumentNullException.ThrowIfNull(host);
        var args = new List<string> { "-o", "BatchMode=yes" };
        if (host.SshConfig is { } config)
        {
            args.AddRange(["-F", config]);
        }

        // The port and user written on the host's line come before any -o, so they win over a file-wide -o Port or User.
        if (host.Port is { } port)
        {
            args.AddRange(["-p", port.ToString(CultureInfo.InvariantCulture)]);
        }

        if (host.User is { } user)
        {
            args.AddRange(["-l", user]);
        }

        if (host.Identity is { } identity)
        {
            // Only this key: ssh would otherwise offer the agent's and the default keys first, and a
            // server that counts failed keys can refuse before it gets to this one.
            args.AddRange(["-i", identity, "-o", "IdentitiesOnly=yes"]);
        }

        foreach (var option in host.SshOptions)
        {
            args.AddRange(["-o", option]);
        }

        args.AddRange([
            "-o", $"ConnectTimeout={DefaultConnectTimeoutSeconds.ToString(CultureInfo.InvariantCulture)}",
            // A host that vanishes mid-command (cable, crash) ends the command within 15 s instead of never.
            "-o", "ServerAliveInterval=5",
            "-o", "ServerAliveCountMax=3",
            // No terminal: the node must not get a SIGHUP when the session ends, and output stays plain.
            "-T",
        ]);
        // "--" ends ssh's options, so no host name can be read as one.
        args.AddRange(["--", host.Host, remoteCommand]);
        return args;
    }
}
