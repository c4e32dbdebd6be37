namespace FuncExec.Dashboard.Api;

/// <summary>Counts for the page's header.</summary>
/// <param name="Clients">Clients connected now, as <c>funcexec status</c> counts them (<c>StatusReply.clients</c>).</param>
/// <param name="Rate">Tasks finished per second over the last full 5 seconds.</param>
internal sealed record SummaryView(int Nodes, int Workers, int BusyWorkers, int Queued, int Running, long Completed, double Rate, int Clients);
