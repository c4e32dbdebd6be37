using System.Text.Json.Serialization;

namespace FuncExec.Dashboard.Api;

/// <summary>A connected client and the open computations it owns.</summary>
/// <param name="Connected">Unix milliseconds.</param>
/// <param name="Computations">Their ids, as strings (random 64-bit numbers).</param>
internal sealed record ClientView(string Name, string Address, long Connected, [property: JsonNumberHandling(JsonNumberHandling.WriteAsString)] IReadOnlyList<long> Computations);
