namespace FuncExec.Slurm.Pilots;

/// <summary>
/// Starts, lists and stops pilot jobs: batch jobs of a resource manager that each run one
/// <c>funcexec node</c> per host they are given, joining a scheduler. <see cref="SlurmLauncher"/> drives
/// Slurm; a launcher for another manager (Kubernetes, PBS) sits beside it, and the CLI verbs and a
/// later adaptive cluster use only this contract.
/// </summary>
internal interface IPilotLauncher
{
    /// <summary>Submits one pilot job and returns its id.</summary>
    /// <exception cref="PilotLauncherMissingException">The manager's tools are not installed here.</exception>
    /// <exception cref="PilotRefusedException">The manager refused the job; the message is its own.</exception>
    Task<string> SubmitAsync(PilotRequest request, CancellationToken cancellationToken = default);

    /// <summary>The pilot jobs of this user the manager knows of, in submission order.</summary>
    /// <param name="jobIds">Only these jobs, whatever state they are in, ended ones included while the manager remembers them; null for every pilot job still queued or running.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<PilotJob>> StatusAsync(IReadOnlyCollection<string>? jobIds = null, CancellationToken cancellationToken = default);

    /// <summary>Asks the job's nodes to drain and leave (SIGTERM): the job ends when they have.</summary>
    Task DrainAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Ends the job now, queued or running.</summary>
    Task CancelAsync(string jobId, CancellationToken cancellationToken = default);
}
