namespace FuncExec.Cli.SshCluster;

/// <summary>Turns what ssh printed when it failed (exit code 255) into a reason a user can act on.</summary>
internal static class SshFailure
{
    /// <summary>Why ssh could not run the command, from its standard error: unreachable, authentication refused, host key, or ssh's own last line.</summary>
    public static string Describe(string stderr)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        var lines = stderr.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("Warning: Permanently added", StringComparison.Ordinal)).ToArray();
        var text = string.Join(' ', lines);
        var last = lines.LastOrDefault() ?? "ssh failed without a message";
        if (Has(text, "Permission denied") || Has(text, "Too many authentication failures"))
        {
            return $"authentication refused ({last}); check the user and that the host has the key in ~/.ssh/authorized_keys (or name the key with --identity)";
        }

        if (Has(text, "REMOTE HOST IDENTIFICATION HAS CHANGED"))
        {
            return "the host's key has changed since it was put in known_hosts; if that is expected, remove the old key with ssh-keygen -R";
        }

        if (Has(text, "Host key verification failed") || Has(text, "No ED25519 host key is known") || Has(text, "host key is known"))
        {
            return "the host's key is not in known_hosts; connect once with ssh to accept it, or add it with ssh-keyscan "
                + "(or set -o StrictHostKeyChecking=accept-new in the hosts file)";
        }

        if (Has(text, "Connection refused") || Has(text, "timed out") || Has(text, "No route to host") || Has(text, "Network is unreachable")
            || Has(text, "Could not resolve hostname") || Has(text, "Name or service not known") || Has(text, "Connection closed by")
            || Has(text, "Connection reset"))
        {
            return $"unreachable ({last})";
        }

        return $"ssh failed ({last})";
    }

    private static bool Has(string text, string part) => text.Contains(part, StringComparison.OrdinalIgnoreCase);
}
