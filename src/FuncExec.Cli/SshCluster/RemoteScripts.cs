using System.Globalization;
using System.Text;
using FuncExec.Core.Text;

namespace FuncExec.Cli.SshCluster;

/// <summary>
/// The POSIX shell scripts <c>funcexec cluster</c> runs on a host. Each is sent on ssh's standard
/// input to <c>sh -s</c>, so the remote command line is only <c>sh -s</c>: the secret and the TLS key
/// never show in a process list, and the user's login shell (bash, zsh, fish, ...) never parses them.
/// </summary>
/// <remarks>
/// Every value from the user reaches a script through <see cref="ShellQuote"/>. A script reports in
/// lines <c>@fx VERB PID-OR-KIND REST</c> (see <see cref="SshResult"/>) and quotes the node's log as
/// <c>@fx log LINE</c>. A node runs as <c>funcexec node ... --name NAME</c> with its pid in
/// <c>DIR/node-NAME.pid</c> and its output in <c>DIR/node-NAME.log</c>; a pid counts as that node only
/// while <c>/proc/PID/cmdline</c> still reads so, so a pid reused by another program is never signalled.
/// </remarks>
internal static class RemoteScripts
{
    /// <summary>Starts every report line.</summary>
    public const string Marker = "@fx";

    /// <summary>Starts every line quoted from a node's log.</summary>
    public const string LogMarker = "@fx log ";

    /// <summary>The remote command that runs a script sent on standard input.</summary>
    public const string ReadScript = "sh -s";

    private const string PemEnd = "FUNCEXEC_PEM_END";

    /// <summary>Where <c>--install</c> puts this build on the host.</summary>
    public static string BuildDir(ClusterHost host, NodeLaunch launch) => host.RemoteDir.TrimEnd('/') + "/" + launch.BuildId;

    /// <summary>Starts the node unless it runs already: reports <c>running</c>, <c>started</c> (with a <c>scheduler</c> report), or <c>error KIND MESSAGE</c>.</summary>
    public static string Start(ClusterHost host, NodeLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(launch);
        var script = Prelude(host);
        script.Append(CultureInfo.InvariantCulture, $$"""
            mkdir -p "$dir" || { say error folder "cannot create $dir"; exit 1; }
            if [ -n "$pid" ] && alive "$pid"; then say running "$pid" "$log"; exit 0; fi

            dotnet={{Optional(host.Dotnet)}}
            if [ -z "$dotnet" ]; then
              for candidate in "$(command -v dotnet 2>/dev/null)" "$HOME/.dotnet/dotnet" /usr/share/dotnet/dotnet /usr/lib/dotnet/dotnet; do
                if [ -n "$candidate" ] && [ -x "$candidate" ]; then dotnet=$candidate; break; fi
              done
              if [ -z "$dotnet" ]; then
                say error dotnet "dotnet is not on the host (not on PATH, nor in ~/.dotnet, /usr/share/dotnet, /usr/lib/dotnet); install the .NET {{launch.RuntimeMajor}} runtime, or name it with --dotnet"
                exit 1
              fi
            elif [ ! -x "$dotnet" ]; then
              say error dotnet "$dotnet (--dotnet) is not a program on the host"; exit 1
            fi
            if ! "$dotnet" --list-runtimes 2>/dev/null | grep -q '^Microsoft.AspNetCore.App {{launch.RuntimeMajor}}\.'; then
              found=$("$dotnet" --list-runtimes 2>/dev/null | cut -d' ' -f1,2 | tr '\n' ' ')
              say error runtime "$dotnet has no .NET {{launch.RuntimeMajor}} runtime with ASP.NET Core (it has: ${found:-none}); install aspnetcore-runtime-{{launch.RuntimeMajor}}.0"
              exit 1
            fi
            [ -n "${DOTNET_ROOT:-}" ] || { DOTNET_ROOT=$(dirname "$(readlink -f "$dotnet" 2>/dev/null || echo "$dotnet")"); export DOTNET_ROOT; }

            fx={{Optional(host.Funcexec)}}
            if [ -n "$fx" ]; then
              [ -e "$fx" ] || { say error funcexec "$fx (--funcexec) is not on the host"; exit 1; }
            else
              for candidate in {{ShellQuote.Path(BuildDir(host, launch))}}/funcexec.dll {{ShellQuote.Quote(launch.LocalFuncexec)}}; do
                if [ -f "$candidate" ]; then fx=$candidate; break; fi
              done
              [ -n "$fx" ] || fx=$(command -v funcexec 2>/dev/null) || fx=
              if [ -z "$fx" ]; then
                say error funcexec "funcexec is not on the host (not in $dir/{{launch.BuildId}}, not at "{{ShellQuote.Quote(launch.LocalFuncexec)}}", not on PATH); run with --install to copy this build there, or name it with --funcexec"
                exit 1
              fi
            fi
            case "$fx" in
              *.dll) set -- "$dotnet" "$fx" ;;
              *) set -- "$fx" ;;
            esac

            scheduler_host={{Optional(host.SchedulerHost)}}
            if [ -z "$scheduler_host" ]; then
              # This machine, at the address the host sees it connect from.
              scheduler_host=${SSH_CONNECTION%% *}
              [ -n "$scheduler_host" ] || { say error scheduler "the host did not say where this ssh connection came from; give --scheduler host:port"; exit 1; }
            fi
            case "$scheduler_host" in
              *:*) scheduler="[$scheduler_host]:{{host.SchedulerPort}}" ;;
              *) scheduler="$scheduler_host:{{host.SchedulerPort}}" ;;
            esac
            set -- "$@" node --scheduler "$scheduler" --name "$name"

            """);
        if (launch.Secret is { } secret)
        {
            // An environment variable, not --secret: the node's command line is visible to every user of the host.
            script.Append("FUNCEXEC_SECRET=").Append(ShellQuote.Quote(secret)).Append("\nexport FUNCEXEC_SECRET\n");
        }
        else
        {
            script.Append("unset FUNCEXEC_SECRET\n");
        }

        if (launch.CertPem is { } cert)
        {
            AppendFile(script, "\"$dir/node-$name.cert.pem\"", cert);
            script.Append("set -- \"$@\" --certfile \"$dir/node-$name.cert.pem\"\n");
        }

        if (launch.KeyPem is { } key)
        {
            AppendFile(script, "\"$dir/node-$name.key.pem\"", key);
            script.Append("set -- \"$@\" --keyfile \"$dir/node-$name.key.pem\"\n");
        }

        var nodeArgs = new List<string>();
        if (host.Cpus is { } cpus)
        {
            nodeArgs.Add("-c " + ShellQuote.Quote(cpus.ToString(CultureInfo.InvariantCulture)));
        }

        if (host.DestPath is { } destPath)
        {
            nodeArgs.Add("--dest-path " + ShellQuote.Path(destPath));
        }

        nodeArgs.AddRange(host.NodeArgs.Select(ShellQuote.Quote));
        if (nodeArgs.Count > 0)
        {
            script.Append("set -- \"$@\" ").AppendJoin(' ', nodeArgs).Append('\n');
        }

        script.Append("""

            # Its own session (setsid): no terminal, no SIGHUP when this ssh session ends, and a process
            # group of its own, which 'cluster down' signals to take any worker left behind.
            if command -v setsid >/dev/null 2>&1; then
              setsid "$@" </dev/null >"$log" 2>&1 &
            else
              nohup "$@" </dev/null >"$log" 2>&1 &
            fi
            pid=$!
            echo "$pid" >"$pidfile"
            # A node that cannot start (wrong runtime, bad argument) exits within a second; say so now, with its words.
            sleep 1
            if alive "$pid"; then
              say scheduler - "$scheduler"
              say started "$pid" "$log"
              exit 0
            fi
            rm -f "$pidfile"
            say error exited "the node exited at once; the end of its log $log:"
            tail -n 20 "$log" 2>/dev/null | sed 's/^/@fx log /'
            exit 1

            """);
        return script.ToString();
    }

    /// <summary>Stops the node: SIGTERM, SIGKILL after <paramref name="grace"/>; reports <c>stopped</c>, <c>killed</c>, <c>gone</c> (the pid file named a dead process) or <c>none</c>.</summary>
    public static string Stop(ClusterHost host, TimeSpan grace)
    {
        ArgumentNullException.ThrowIfNull(host);
        var script = Prelude(host);
        script.Append(CultureInfo.InvariantCulture, $$"""
            if [ -z "$pid" ]; then say none - "$log"; exit 0; fi
            if ! alive "$pid"; then rm -f "$pidfile"; say gone "$pid" "$log"; exit 0; fi
            kill -TERM "$pid" 2>/dev/null
            end=$(( $(date +%s) + {{(int)Math.Ceiling(grace.TotalSeconds)}} ))
            while alive "$pid" && [ "$(date +%s)" -lt "$end" ]; do sleep 0.2 2>/dev/null || sleep 1; done
            how=stopped
            if alive "$pid"; then how=killed; kill -KILL "$pid" 2>/dev/null; fi
            # Workers still in the node's process group (setsid made the node its leader) go too.
            kill -s KILL -- "-$pid" 2>/dev/null
            rm -f "$pidfile"
            say "$how" "$pid" "$log"

            """);
        return script.ToString();
    }

    /// <summary>Reports <c>running</c>, <c>gone</c> or <c>none</c>, then the last <paramref name="logLines"/> lines of the node's log.</summary>
    public static string Status(ClusterHost host, int logLines)
    {
        ArgumentNullException.ThrowIfNull(host);
        var script = Prelude(host);
        script.Append(CultureInfo.InvariantCulture, $$"""
            if [ -z "$pid" ]; then say none - "$log"
            elif alive "$pid"; then say running "$pid" "$log"
            else say gone "$pid" "$log"
            fi
            if [ -f "$log" ]; then tail -n {{logLines}} "$log" | sed 's/^/@fx log /'; fi

            """);
        return script.ToString();
    }

    /// <summary>The remote command that exits 0 when this build is installed on the host, 1 when not.</summary>
    public static string IsInstalled(ClusterHost host, NodeLaunch launch) =>
        "test -f " + ShellQuote.Path(BuildDir(host, launch) + "/funcexec.dll");

    /// <summary>
    /// The remote command that unpacks a tar stream on standard input as this build, reporting <c>installed</c>.
    /// </summary>
    /// <remarks>
    /// It unpacks beside the target and renames into place, so a build folder is complete whenever it
    /// exists; hosts sharing a home over NFS may install at once, and the loser's copy is dropped.
    /// </remarks>
    public static string Install(ClusterHost host, NodeLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(launch);
        var script = $$"""
            set -u
            dest={{ShellQuote.Path(BuildDir(host, launch))}}
            tmp="$dest.partial.$$"
            mkdir -p "$tmp" || exit 1
            if ! tar -xf - -C "$tmp"; then rm -rf "$tmp"; exit 1; fi
            mv -T "$tmp" "$dest" 2>/dev/null || { [ -d "$dest" ] || mv "$tmp" "$dest"; }
            rm -rf "$tmp"
            [ -f "$dest/funcexec.dll" ] || exit 1
            echo '{{Marker}} installed - '"$dest"
            """;
        return "sh -c " + ShellQuote.Quote(script);
    }

    private static StringBuilder Prelude(ClusterHost host) => new StringBuilder()
        .Append("set -u\numask 077\n")
        .Append("dir=").Append(ShellQuote.Path(host.RemoteDir.TrimEnd('/') is { Length: > 0 } d ? d : "/")).Append('\n')
        .Append("name=").Append(ShellQuote.Quote(host.Name)).Append('\n')
        .Append("""
            pidfile="$dir/node-$name.pid"
            log="$dir/node-$name.log"
            say() { printf '@fx %s\n' "$*"; }
            # Whether the pid is still this node: the pid file may outlive it, and its pid be reused.
            alive() {
              case "$( { tr '\000' ' ' <"/proc/$1/cmdline"; } 2>/dev/null)" in
                *funcexec*" node "*" --name $name "*) return 0 ;;
              esac
              return 1
            }
            pid=$(cat "$pidfile" 2>/dev/null) || pid=
            case "$pid" in *[!0-9]*) pid= ;; esac

            """);

    private static string Optional(string? path) => path is null ? "''" : ShellQuote.Path(path);

    private static void AppendFile(StringBuilder script, string target, string content)
    {
        if (content.Split('\n').Any(line => line.TrimEnd('\r') == PemEnd))
        {
            throw new ArgumentException($"a TLS file holds the line {PemEnd}", nameof(content));
        }

        // A quoted here-document: the shell expands nothing in it.
        script.Append("cat >").Append(target).Append(" <<'").Append(PemEnd).Append("'\n")
            .Append(content.TrimEnd('\n')).Append('\n')
            .Append(PemEnd).Append('\n');
    }
}
