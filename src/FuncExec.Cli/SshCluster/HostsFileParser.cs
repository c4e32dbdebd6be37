using System.Globalization;
using System.Text.RegularExpressions;

namespace FuncExec.Cli.SshCluster;

/// <summary>
/// Reads a hosts file: one host a line, <c>[user@]host[:port]</c> followed by its options; a line
/// that starts with an option sets it for every host; <c>#</c> starts a comment.
/// </summary>
/// <remarks>
/// <code>
/// --scheduler 10.0.0.5:9700 --identity ~/.ssh/funcexec   # for every host
/// node1
/// alice@node2:2222 -c 4 --name big
/// node3 --dest-path /scratch/funcexec -- --debug         # after --: more funcexec node arguments
/// </code>
/// Local files (<c>--identity</c>, <c>--ssh-config</c>, <c>--certfile</c>, <c>--keyfile</c>) are
/// resolved here, relative to the hosts file, and must exist; remote paths (<c>--dest-path</c>,
/// <c>--remote-dir</c>, <c>--dotnet</c>, <c>--funcexec</c>) are kept as written, <c>~/</c> meaning
/// the remote home. Every problem is reported as <c>file:line:column: problem</c>.
/// </remarks>
internal static partial class HostsFileParser
{
    private const string Usage = "-c/--cpus, -n/--name, --dest-path, -i/--identity, -o/--ssh-option, -F/--ssh-config, "
        + "--scheduler, --certfile, --keyfile, --remote-dir, --dotnet, --funcexec, and -- before more funcexec node arguments";

    // Options whose value is a file here: resolved against the hosts file's folder, and it must exist.
    private static readonly Dictionary<string, (string What, Action<HostOptions, string> Set)> LocalFiles = new(StringComparer.Ordinal)
    {
        ["--identity"] = ("identity file", (o, v) => o.Identity = v),
        ["--ssh-config"] = ("ssh config file", (o, v) => o.SshConfig = v),
        ["--certfile"] = ("certificate file", (o, v) => o.CertFile = v),
        ["--keyfile"] = ("key file", (o, v) => o.KeyFile = v),
    };

    // Options whose value is a path on the host: kept as written.
    private static readonly Dictionary<string, Action<HostOptions, string>> RemotePaths = new(StringComparer.Ordinal)
    {
        ["--dest-path"] = (o, v) => o.DestPath = v,
        ["--remote-dir"] = (o, v) => o.RemoteDir = v,
        ["--dotnet"] = (o, v) => o.Dotnet = v,
        ["--funcexec"] = (o, v) => o.Funcexec = v,
    };

    /// <summary>Reads and parses the hosts file at <paramref name="path"/>.</summary>
    /// <exception cref="HostsFileException">The file cannot be read or is not a valid hosts file.</exception>
    public static IReadOnlyList<ClusterHost> Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A missing or unreadable file is the user's to fix, like a malformed one.
            throw new HostsFileException(path, 0, 0, ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : $"cannot read it: {ex.Message}", ex);
        }

        return Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <summary>Parses hosts file text; relative local files are resolved against <paramref name="baseDirectory"/> (default: the current one).</summary>
    /// <exception cref="HostsFileException">The text is not a valid hosts file.</exception>
    public static IReadOnlyList<ClusterHost> Parse(string text, string path, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var context = new Context(path, baseDirectory ?? Directory.GetCurrentDirectory());
        var defaults = new HostOptions();
        var defaultsSetAt = new Dictionary<string, int>(StringComparer.Ordinal);
        var hostLines = new List<(HostsFileToken Spec, HostOptions Options, int Line)>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            var tokens = HostsFileTokenizer.Split(lines[i], path, lineNumber);
            if (tokens.Count == 0)
            {
                continue;
            }

            if (tokens[0].Text.StartsWith('-'))
            {
                ReadOptions(context, tokens, 0, lineNumber, defaults, defaultsSetAt);
            }
            else
            {
                var options = new HostOptions();
                ReadOptions(context, tokens, 1, lineNumber, options, setAt: null);
                hostLines.Add((tokens[0], options, lineNumber));
            }
        }

        if (hostLines.Count == 0)
        {
            throw new HostsFileException(path, 0, 0, "no hosts in it; write one a line, as [user@]host[:port] and its options");
        }

        var hosts = new List<ClusterHost>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (spec, options, line) in hostLines)
        {
            var (user, host, port) = ParseHostSpec(context, spec, line);
            var name = options.Name ?? DefaultName(host);
            if (!names.TryAdd(name, line))
            {
                throw context.Error(line, spec.Column, $"node name '{name}' is taken by line {names[name]}; give this host a name of its own with --name");
            }

            hosts.Add(options.ToHost(host, user, port, name, line, defaults));
        }

        return hosts;
    }

    /// <summary>The node name a host gets without <c>--name</c>: the host as written, with characters a file name should not hold turned to '-'.</summary>
    public static string DefaultName(string host) => UnsafeNameCharacter().Replace(host, "-");

    private static void ReadOptions(Context context, IReadOnlyList<HostsFileToken> tokens, int first, int line, HostOptions options, Dictionary<string, int>? setAt)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = first; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Text == "--")
            {
                options.NodeArgs.AddRange(tokens.Skip(i + 1).Select(t => t.Text));
                return;
            }

            var (option, value) = SplitOption(token.Text);
            var canonical = Canonical(option)
                ?? throw context.Error(line, token.Column, token.Text.StartsWith('-')
                    ? $"unknown option '{option}'; a host takes {Usage}"
                    : $"'{token.Text}' is not an option; put each host on a line of its own, first on its line");
            if (value is null)
            {
                if (i + 1 >= tokens.Count)
                {
                    throw context.Error(line, token.Column, $"'{option}' needs a value");
                }

                value = tokens[++i].Text;
            }

            if (canonical != "--ssh-option" && !seen.Add(canonical))
            {
                throw context.Error(line, token.Column, $"'{canonical}' is given twice on this line");
            }

            if (setAt is not null && canonical != "--ssh-option" && !setAt.TryAdd(canonical, line))
            {
                throw context.Error(line, token.Column, $"'{canonical}' is already set for every host on line {setAt[canonical]}");
            }

            Apply(context, options, canonical, value, line, token.Column, fileWide: setAt is not null);
        }
    }

    private static (string Option, string? Value) SplitOption(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        return text.StartsWith("--", StringComparison.Ordinal) && equals > 2 ? (text[..equals], text[(equals + 1)..]) : (text, null);
    }

    private static string? Canonical(string option) => option switch
    {
        "-c" or "--cpus" => "--cpus",
        "-n" or "--name" => "--name",
        "--dest-path" => "--dest-path",
        "-i" or "--identity" => "--identity",
        "-o" or "--ssh-option" => "--ssh-option",
        "-F" or "--ssh-config" => "--ssh-config",
        "--scheduler" => "--scheduler",
        "--certfile" => "--certfile",
        "--keyfile" => "--keyfile",
        "--remote-dir" => "--remote-dir",
        "--dotnet" => "--dotnet",
        "--funcexec" => "--funcexec",
        _ => null,
    };

    private static void Apply(Context context, HostOptions options, string option, string value, int line, int column, bool fileWide)
    {
        if (LocalFiles.TryGetValue(option, out var local))
        {
            local.Set(options, LocalFile(context, value, line, column, local.What));
            return;
        }

        if (RemotePaths.TryGetValue(option, out var setRemote))
        {
            setRemote(options, value.Length > 0 ? value : throw context.Error(line, column, $"'{option}' needs a path"));
            return;
        }

        switch (option)
        {
            case "--cpus":
                options.Cpus = int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var cpus)
                    ? cpus
                    : throw context.Error(line, column, $"'-c' takes a number of workers (N, 0 for one per core, -N for all cores but N), not '{value}'");
                break;
            case "--name":
                options.Name = fileWide
                    ? throw context.Error(line, column, "--name names one host; put it on that host's line")
                    : ValidName().IsMatch(value)
                        ? value
                        : throw context.Error(line, column, $"node name '{value}' must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
                break;
            case "--ssh-option":
                options.SshOptions.Add(value.Length > 0 ? value : throw context.Error(line, column, "'-o' needs an ssh option, e.g. -o ConnectTimeout=5"));
                break;
            default:
                options.Scheduler = TryParseScheduler(value, out var scheduler)
                    ? scheduler
                    : throw context.Error(line, column, $"'--scheduler {value}' is not host[:port] or :port");
                break;
        }
    }

    private static (string? User, string Host, int? Port) ParseHostSpec(Context context, HostsFileToken spec, int line)
    {
        var text = spec.Text;
        string? user = null;
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            user = text[..at];
            text = text[(at + 1)..];
            if (user.Length == 0 || !ValidUser().IsMatch(user))
            {
                throw context.Error(line, spec.Column, $"'{spec.Text}' is not [user@]host[:port]: the user name is empty or holds blanks, quotes or '@'");
            }
        }

        string host;
        string? portText = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || (close + 1 < text.Length && text[close + 1] != ':'))
            {
                throw context.Error(line, spec.Column, $"'{spec.Text}' is not [user@]host[:port]: write an IPv6 address as [address] or [address]:port");
            }

            host = text[1..close];
            portText = close + 1 < text.Length ? text[(close + 2)..] : null;
        }
        else if (text.Count(c => c == ':') == 1)
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            host = text[..colon];
            portText = text[(colon + 1)..];
        }
        else
        {
            host = text;
        }

        if (!ValidHost().IsMatch(host))
        {
            throw context.Error(line, spec.Column, $"'{spec.Text}' is not [user@]host[:port]: '{host}' is not a host name or address");
        }

        int? port = null;
        if (portText is not null)
        {
            port = int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535
                ? p
                : throw context.Error(line, spec.Column, $"'{spec.Text}' is not [user@]host[:port]: the port '{portText}' is not a number from 1 to 65535");
        }

        return (user, host, port);
    }

    /// <summary>
    /// Parses what <c>--scheduler</c> says: <c>host</c>, <c>host:port</c>, <c>[v6]:port</c>, or <c>:port</c>
    /// for this machine (as each host sees it) at that port; the host is null for this machine.
    /// </summary>
    public static bool TryParseScheduler(string value, out (string? Host, int Port) scheduler)
    {
        ArgumentNullException.ThrowIfNull(value);
        var thisMachine = value.StartsWith(':');
        try
        {
            var parsed = SchedulerAddress.Parse(thisMachine ? "localhost" + value : value);
            scheduler = (thisMachine ? null : parsed.Host, parsed.Port);
            return !parsed.Host.Any(char.IsWhiteSpace);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            // Not an address: the caller says so, naming where it was written.
            scheduler = default;
            return false;
        }
    }

    private static string LocalFile(Context context, string value, int line, int column, string what)
    {
        var path = value == "~" || value.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), value.Length > 2 ? value[2..] : string.Empty)
            : Path.GetFullPath(value, context.BaseDirectory);
        return File.Exists(path) ? path : throw context.Error(line, column, $"{what} '{value}' does not exist here ({path})");
    }

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex UnsafeNameCharacter();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex ValidName();

    [GeneratedRegex("^[^\\s'\"@]+$")]
    private static partial Regex ValidUser();

    // A host name or IPv4 address, or an IPv6 address with an optional %zone.
    [GeneratedRegex("^(?:[A-Za-z0-9_][A-Za-z0-9._-]*|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*(?:%[A-Za-z0-9._-]+)?)$")]
    private static partial Regex ValidHost();

    private sealed record Context(string Path, string BaseDirectory)
    {
        public HostsFileException Error(int line, int column, string problem) => new(Path, line, column, problem);
    }
}
