using System.Text.Json.Serialization;

namespace FuncExec.Dashboard.Api;

/// <summary>A row of the task table.</summary>
/// <param name="State"><c>queued</c>, <c>running</c>, or a final state (<c>succeeded</c>, <c>failed</c>, <c>cancelled</c>, <c>killed</c>, <c>timed-out</c>).</param>
/// <param name="Started">Unix milliseconds, when it started.</param>
/// <param name="Finished">Unix milliseconds, when it ended.</param>
/// <param name="ErrorType">For a task that did not succeed, its error's type; the rest of the error is at <c>/api/tasks/{id}/error</c>.</param>
/// <param name="ErrorMessage">Its error's message, cut to a line's worth (<see cref="Internal.RecentErrors.SummaryLength"/> characters).</param>
/// <remarks><see cref="Computation"/> travels as a string: computation ids are random 64-bit numbers.</remarks>
internal sealed record TaskView(
    long Id,
    string Name,
    string State,
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString)] long Computation,
    string? Worker,
    IReadOnlyList<int> Cores,
    long? Started,
    long? Finished,
    int Attempts,
    string? ErrorType = null,
    string? ErrorMessage = null);
