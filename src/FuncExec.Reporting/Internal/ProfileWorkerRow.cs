namespace FuncExec.Reporting.Internal;

/// <summary>A <c>worker</c> record (a worker started on <paramref name="Core"/>) or a <c>worker-died</c> record
/// (<paramref name="Died"/>, with its reason).</summary>
internal sealed record ProfileWorkerRow(long TimeUs, string Worker, int? Core, bool Died, string Reason);
