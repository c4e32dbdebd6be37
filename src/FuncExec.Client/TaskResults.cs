using FuncExec.Core.Tasks;

namespace FuncExec;

/// <summary>What a scheduler holds for a list of task ids (see <see cref="RemoteCluster.GetResultsAsync"/>).</summary>
/// <param name="Reports">The reports of the tasks that have finished, in the order asked.</param>
/// <param name="Pending">Ids of tasks queued or running.</param>
/// <param name="Unknown">Ids the scheduler holds nothing for: never submitted, past the result retention time, or another
/// client's (unless any client's were asked for).</param>
/// <param name="Error">Why some could not be answered (the scheduler keeps no journal, or could not read it); null when all were.</param>
public sealed record TaskResults(IReadOnlyList<TaskReport> Reports, IReadOnlyList<long> Pending, IReadOnlyList<long> Unknown, string? Error);
