using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using FuncExec.Protocol.V1;
using Google.Protobuf;

namespace FuncExec.Worker;

/// <summary>
/// Runs a command task as a child process. The child inherits the executing thread's CPU
/// affinity (fork copies it), so it runs on the task's cores.
/// </summary>
/// <remarks>
/// The result is <c>{"exitCode":N,"stdout":"...","stderr":"..."}</c>; each stream keeps its
/// first <see cref="MaxCapturedChars"/> characters and says how much it dropped. A non-zero
/// exit code fails the task, with the output still in the result.
/// </remarks>
internal static class CommandRunner
{
    internal const int MaxCapturedChars = 1 << 20;

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
        var stdout = CaptureAsync(process.StandardOutput);
        var stderr = CaptureAsync(process.StandardError);
        process.WaitForExit();
        var output = new CommandOutput(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
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

    private static async Task<string> CaptureAsync(StreamReader reader)
    {
        var text = new StringBuilder();
        var buffer = new char[8192];
        long dropped = 0;
        int n;
        while ((n = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            var keep = Math.Min(n, MaxCapturedChars - text.Length);
            text.Append(buffer, 0, keep);
            dropped += n - keep;
        }

        if (dropped > 0)
        {
            text.Append("\n[... ").Append(dropped).Append(" more characters dropped]");
        }

        return text.ToString();
    }
}
