using System.Globalization;

namespace FuncExec.Slurm.Pilots;

/// <summary>
/// Reads what Slurm's commands print, trusting none of it: job ids are digits only, host names a
/// host name's characters, every field bounded; a line that does not fit is left out rather than guessed at.
/// </summary>
internal static class SlurmOutput
{
    /// <summary>The <c>squeue --format</c> whose lines <see cref="ParseQueue"/> reads; the comment, which may hold anything, comes last.</summary>
    public const string QueueFormat = "%i|%T|%D|%P|%L|%N|%r|%k";

    private const int MaxJobIdLength = 12;
    private const int MaxHostLength = 255;
    private const int MaxFieldLength = 4096;

    /// <summary>True for a Slurm job id: 1 to 12 ASCII digits.</summary>
    public static bool IsJobId(string text) =>
        text.Length is > 0 and <= MaxJobIdLength && text.All(char.IsAsciiDigit);

    /// <summary>True for a host name as Slurm writes it in a host list: letters, digits, '.', '-', '_'.</summary>
    public static bool IsHostName(string text) =>
        text.Length is > 0 and <= MaxHostLength && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    /// <summary>The job id <c>sbatch --parsable</c> printed (<c>JOBID</c> or <c>JOBID;CLUSTER</c>), or null.</summary>
    public static string? ParseSubmitted(string stdout)
    {
        var line = stdout.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        var id = line.Split(';')[0];
        return IsJobId(id) ? id : null;
    }

    /// <summary>The pilot jobs in <c>squeue --noheader --format=QueueFormat</c> output; hosts not yet expanded (see <see cref="ParseHostNames"/>).</summary>
    /// <returns>Each job with its compressed node list (<c>n[1-2]</c>) beside it.</returns>
    public static IReadOnlyList<(PilotJob Job, string NodeList)> ParseQueue(string stdout)
    {
        var jobs = new List<(PilotJob, string)>();
        foreach (var raw in stdout.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var fields = line.Split('|', 8);
            if (fields.Length != 8 || fields.Any(f => f.Length > MaxFieldLength) || !IsJobId(fields[0]))
            {
                continue;
            }

            if (!PilotNaming.TryParseTag(fields[7], out var scheduler, out var logs))
            {
                continue; // Named like ours but not tagged by us: someone else's job, left alone.
            }

            var state = fields[1].Trim();
            if (state.Length is 0 or > 32 || !state.All(c => char.IsAsciiLetterUpper(c) || c == '_'))
            {
                continue;
            }

            _ = int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var count);
            var reason = fields[6] is "None" or "(null)" ? "" : fields[6];
            var job = new PilotJob(fields[0], state, Printable(reason), count, [], Printable(fields[3]), Printable(fields[4]), Printable(scheduler), logs);
            jobs.Add((job, fields[5].Trim()));
        }

        return jobs;
    }

    /// <summary>The host names in <c>scontrol show hostnames</c> output, one a line; names that are not host names are left out.</summary>
    public static IReadOnlyList<string> ParseHostNames(string stdout) =>
        [.. stdout.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Where(IsHostName)];

    /// <summary>The text with control characters replaced, so nothing Slurm prints can move a terminal's cursor.</summary>
    public static string Printable(string text) =>
        string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
}
