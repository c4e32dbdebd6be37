using System.Globalization;
using Microsoft.Extensions.Logging;

namespace FuncExec.Slurm.Pilots;

/// <summary>Pilot jobs on Slurm, through its commands: <c>sbatch</c> submits, <c>squeue</c> lists, <c>scancel</c> signals and cancels.</summary>
internal sealed class SlurmLauncher(SlurmTools tools) : IPilotLauncher
{
    public SlurmLauncher(ILogger logger)
        : this(new SlurmTools(logger))
    {
    }

    public async Task<string> SubmitAsync(PilotRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The logs may say where the nodes run and what they were given: for the user's eyes only.
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(request.LogDirectory);
        }
        else
        {
            Directory.CreateDirectory(request.LogDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var environment = request.Secret is { } secret ? new Dictionary<string, string> { ["FUNCEXEC_SECRET"] = secret } : null;
        var result = await tools.RunAsync("sbatch", PilotScript.SubmitArguments(request), environment, PilotScript.Create(request), cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new PilotRefusedException($"Slurm refused the job: {result.Message}");
        }

        return SlurmOutput.ParseSubmitted(result.Stdout)
            ?? throw new PilotRefusedException($"sbatch printed no job id: {SlurmOutput.Printable(result.Message)}");
    }

    public async Task<IReadOnlyList<PilotJob>> StatusAsync(IReadOnlyCollection<string>? jobIds = null, CancellationToken cancellationToken = default)
    {
        if (jobIds is { Count: 0 })
        {
            return [];
        }

        var args = new List<string> { "--noheader", "--format=" + SlurmOutput.QueueFormat, "--name=" + PilotNaming.JobName, "--me" };
        if (jobIds is not null)
        {
            foreach (var id in jobIds)
            {
                if (!SlurmOutput.IsJobId(id))
                {
                    throw new ArgumentException($"'{id}' is not a Slurm job id", nameof(jobIds));
                }
            }

            // Ended jobs too, while slurmctld remembers them (MinJobAge, 300 s by default).
            args.AddRange(["--jobs=" + string.Join(',', jobIds), "--states=all"]);
        }

        var result = await tools.RunAsync("squeue", args, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            if (jobIds is not null && result.Stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
            {
                return []; // Ended long enough ago that Slurm forgot it.
            }

            throw new PilotRefusedException($"squeue failed: {result.Message}");
        }

        var jobs = new List<PilotJob>();
        foreach (var (job, nodeList) in SlurmOutput.ParseQueue(result.Stdout))
        {
            jobs.Add(job.IsRunning && nodeList.Length > 0 ? job with { Hosts = await HostsAsync(nodeList, cancellationToken).ConfigureAwait(false) } : job);
        }

        return [.. jobs.OrderBy(j => long.Parse(j.Id, CultureInfo.InvariantCulture))];
    }

    public Task DrainAsync(string jobId, CancellationToken cancellationToken = default) =>
        // To the batch shell only: it sends SIGTERM to the node processes, not to the workers, whose tasks would die.
        ScancelAsync(jobId, ["--batch", "--signal=USR1", jobId], cancellationToken);

    public Task CancelAsync(string jobId, CancellationToken cancellationToken = default) =>
        ScancelAsync(jobId, [jobId], cancellationToken);

    private async Task ScancelAsync(string jobId, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (!SlurmOutput.IsJobId(jobId))
        {
            throw new ArgumentException($"'{jobId}' is not a Slurm job id", nameof(jobId));
        }

        var result = await tools.RunAsync("scancel", args, cancellationToken: cancellationToken).ConfigureAwait(false);
        // scancel also says "error" on stderr with exit code 0 for some refusals, e.g. a job already over.
        if (result.ExitCode != 0 || result.Stderr.Contains("error", StringComparison.OrdinalIgnoreCase))
        {
            throw new PilotRefusedException($"scancel {string.Join(' ', args)}: {result.Message}");
        }
    }

    private async Task<IReadOnlyList<string>> HostsAsync(string nodeList, CancellationToken cancellationToken)
    {
        // A compressed host list, such as cn[01-04,07]: only these characters, or it is not one.
        if (nodeList.Length > 4096 || !nodeList.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ',' or '[' or ']'))
        {
            return [];
        }

        var result = await tools.RunAsync("scontrol", ["show", "hostnames", nodeList], cancellationToken: cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0 ? SlurmOutput.ParseHostNames(result.Stdout) : [];
    }
}
