namespace FuncExec.Slurm.Pilots;

/// <summary>How a Slurm command ended: its exit code and what it printed.</summary>
internal sealed record SlurmResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Its message: standard error's lines, trimmed, else standard output's; at most 2000 characters.</summary>
    public string Message
    {
        get
        {
            var text = (Stderr.Trim().Length > 0 ? Stderr : Stdout).Trim();
            return text.Length <= 2000 ? text : text[..2000] + " ...";
        }
    }
}
