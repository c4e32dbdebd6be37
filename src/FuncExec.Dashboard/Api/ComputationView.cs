using System.Text.Json.Serialization;

namespace FuncExec.Dashboard.Api;

/// <summary>A computation, open or recently closed, with the client that opened it.</summary>
/// <param name="Done">Its tasks finished while the dashboard watched.</param>
/// <param name="Failed">Of those, the ones that did not succeed.</param>
/// <remarks>Ids are random 64-bit numbers, beyond what a JavaScript number holds exactly, so they travel as strings.</remarks>
internal sealed record ComputationView([property: JsonNumberHandling(JsonNumberHandling.WriteAsString)] long Id, string Name, bool Exclusive, bool Active, bool Open, int Queued, int OnWorkers, long Done, long Failed, string? Client);
