namespace FuncExec.Dashboard.Api;

/// <summary>Counts for the page's header.</summary>
/// <param name="Rate">Tasks finished per second over the last full 5 seconds.</param>
internal sealed record SummaryView(int Nodes, int Workers, int BusyWorkers, int Queued, int Running, long Completed, double Rate);
