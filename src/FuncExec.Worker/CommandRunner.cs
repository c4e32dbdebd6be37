using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using FuncExec.Protocol.V1;
using Google.Protobuf;

namespace FuncExec.Worker;

using RemoteError = FuncExec.Protocol.V1.RemoteError;

/// <summary>
/// Runs a command task as a child process. The child inherits the executing thread's CPU
/// affinity (fork copies it), so it runs on the task's cores.
/// </summary>
/// <remarks>
/// The result is <c>{"exitCode":N,"stdout":"...","stderr":"..."}</c>; each stream keeps its
/// first <see cref="MaxCapturedChars"/> characters and says how much it dropped. A non-zero
/// exit code fails the task, with the output still in the result.
/// <para>
/// The task ends when the command's own process exits. A background child it left may still hold the
/// output pipes open (<c>sleep 300 &amp;</c>), and reading to their end would wait for that child; so
/// output is read for <see cref="OutputGrace"/> after the exit, then whatever the command left running
/// is killed (<see cref="Subreaper.EndLeftovers"/>), which closes the pipes, and the result holds what
/// arrived.
/// </para>
/// </remarks>
internal static class CommandRunner
{
    internal const int MaxCapturedChars = 1 << 20;

    /// <summary>How long output is still read after the command's process exits.</summary>
    internal static readonly TimeSpan OutputGrace = TimeSpan.FromMilliseconds(500);

    public static void Run(CommandCall call, TaskResult result)
    {
        var start = new ProcessStartInfo(call.File)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in call.Args)
        {
            start.ArgumentList.Add(arg);
        }

        // The worker's own runtime settings are not the command's.
        CommandEnvironment.Restore(start.Environment);

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new CommandNotFoundException(
                $"command '{call.File}' could not be started: {ex.Message} (is it installed and on PATH?)", ex);
        }

        process.StandardInput.Close();
        var stdout = StreamCapture.Start(process.StandardOutput);
        var stderr = StreamCapture.Start(process.StandardError);
        process.WaitForExit();
        var drained = Task.WhenAll(stdout.Completion, stderr.Completion);
        if (!drained.Wait(OutputGrace))
        {
            // Someone the command started still holds a pipe: end them, which closes it, and give the
            // reads a moment to take what was written before.
            Subreaper.EndLeftovers(always: true);
            _ = drained.Wait(OutputGrace);
        }

        var output = new CommandOutput(process.ExitCode, stdout.Text(), stderr.Text());
        result.ResultJson = UnsafeByteOperations.UnsafeWrap(JsonSerializer.SerializeToUtf8Bytes(output, CommandOutputContext.Default.CommandOutput));
        if (output.ExitCode == 0)
        {
            result.Outcome = TaskOutcome.Succeeded;
        }
        else
        {
            result.Outcome = TaskOutcome.Failed;
            var tail = output.Stderr.Length > 500 ? output.Stderr[^500..] : output.Stderr;
            result.Error = new RemoteError
            {
                Type = "FuncExec.CommandFailed",
                Message = $"command '{call.File}' exited with code {output.ExitCode}"
                    + (tail.Length > 0 ? $": {tail.TrimEnd()}" : string.Empty),
                Retryable = true,
            };
        }
    }
}
