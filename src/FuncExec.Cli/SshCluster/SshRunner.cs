using System.ComponentModel;
using System.Diagnostics;
using FuncExec.Core.Text;
using Microsoft.Extensions.Logging;

namespace FuncExec.Cli.SshCluster;

/// <summary>Runs the system <c>ssh</c> client as a child process, feeding its standard input and collecting what it prints.</summary>
internal sealed class SshRunner(ILogger logger)
{
    /// <summary>The ssh program; <c>ssh</c> from PATH.</summary>
    public string Program { get; init; } = "ssh";

    /// <summary>
    /// Runs <paramref name="remoteCommand"/> on <paramref name="host"/> with <paramref name="input"/>
    /// written to its standard input (then closed), and returns how it ended.
    /// </summary>
    /// <exception cref="SshMissingException">There is no ssh program here.</exception>
    public async Task<SshResult> RunAsync(ClusterHost host, string remoteCommand, Func<Stream, CancellationToken, Task> input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(input);
        var startInfo = new ProcessStartInfo(Program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var arguments = SshCommand.Arguments(host, remoteCommand);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Scripts travel on standard input, so the arguments hold no secret and can be logged.
        ClusterLog.Running(logger, host.Name, ShellQuote.Join(arguments));
        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new SshMissingException(Program);
        }
        catch (Win32Exception ex)
        {
            // The one way Process.Start fails for a program that is not there.
            throw new SshMissingException(Program, ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                try
                {
                    await input(process.StandardInput.BaseStream, cancellationToken).ConfigureAwait(false);
                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // ssh stopped reading before it had all input: it could not connect or log in, or the
                    // remote command ended early. Its exit code and standard error say which.
                }

                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                var result = new SshResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
                ClusterLog.Exited(logger, host.Name, result.ExitCode, result.Stderr.Trim());
                return result;
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: ssh (and with it the remote command, whose session closes) must not outlive us.
                process.Kill(entireProcessTree: true);
                throw;
            }
        }
    }

    /// <summary>Runs <paramref name="remoteCommand"/> with <paramref name="script"/> as its standard input.</summary>
    /// <exception cref="SshMissingException">There is no ssh program here.</exception>
    public Task<SshResult> RunScriptAsync(ClusterHost host, string remoteCommand, string script, CancellationToken cancellationToken = default) =>
        RunAsync(host, remoteCommand, async (stream, token) =>
        {
            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(script), token).ConfigureAwait(false);
            await stream.FlushAsync(token).ConfigureAwait(false);
        }, cancellationToken);
}
