using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;

namespace FuncExec.Slurm.Pilots;

/// <summary>
/// Runs Slurm's client programs (<c>sbatch</c>, <c>squeue</c>, <c>scancel</c>, <c>scontrol</c>) as child
/// processes and collects what they print. They find the controller as they always do (<c>SLURM_CONF</c>,
/// <c>/etc/slurm/slurm.conf</c> or DNS), from the environment this process has.
/// </summary>
internal sealed class SlurmTools(ILogger logger)
{
    // Slurm's answers are short; more than this is not an answer to us, and is cut rather than held.
    private const int MaxOutputChars = 1 << 20;

    /// <summary>How long one command may take: the controller may be slow, but never this slow.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/>, writing <paramref name="input"/> (if any) to its standard input.</summary>
    /// <param name="program">The program name, looked up on PATH.</param>
    /// <param name="arguments">Its arguments, passed as they are (no shell); they are logged, so they never hold a secret.</param>
    /// <param name="environment">Variables added for this program only; not logged.</param>
    /// <param name="input">Its standard input, or null for none.</param>
    /// <param name="cancellationToken">Cancels the command, killing the program.</param>
    /// <exception cref="PilotLauncherMissingException">The program is not on PATH.</exception>
    public async Task<SlurmResult> RunAsync(
        string program,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        string? input = null,
        CancellationToken cancellationToken = default)
    {
        if (FindOnPath(program) is not { } path)
        {
            throw Missing(program, null);
        }

        var startInfo = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        SlurmLog.Running(logger, program, string.Join(' ', arguments));
        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw Missing(program, null);
        }
        catch (Win32Exception ex)
        {
            throw Missing(program, ex);
        }

        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CommandTimeout);
            var stdout = ReadBoundedAsync(process.StandardOutput, timeout.Token);
            var stderr = ReadBoundedAsync(process.StandardError, timeout.Token);
            try
            {
                try
                {
                    if (input is not null)
                    {
                        await process.StandardInput.WriteAsync(input.AsMemory(), timeout.Token).ConfigureAwait(false);
                    }

                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // The program ended before reading all its input (sbatch refusing an option): its exit code and
                    // standard error say why.
                }

                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                var result = new SlurmResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
                SlurmLog.Exited(logger, program, result.ExitCode, result.Stderr.Trim());
                return result;
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                if (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }

                throw new PilotRefusedException($"{program} did not answer within {CommandTimeout.TotalSeconds:0} s: is slurmctld up? (scontrol ping)");
            }
        }
    }

    /// <summary>The full path of <paramref name="program"/> on PATH, or null.</summary>
    public static string? FindOnPath(string program)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The error for a program not found, saying where to run or how to install it.</summary>
    public static PilotLauncherMissingException Missing(string program, Exception? inner) =>
        new($"'{program}' is not on the PATH: run this on a host where Slurm's client commands work (a login node), "
            + "or install them (Debian: apt-get install slurm-client)", inner);

    private static async Task<string> ReadBoundedAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var buffer = new char[8192];
        int read;
        while ((read = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            // Keeps reading past the cap, so the program never blocks on a full pipe.
            if (text.Length < MaxOutputChars)
            {
                text.Append(buffer, 0, Math.Min(read, MaxOutputChars - text.Length));
            }
        }

        return text.ToString();
    }
}
