using System.Runtime.CompilerServices;
using FuncExec.Core.Tasks;

namespace FuncExec;

/// <summary>A task on the broker's queue: its id, and (with the client's private result queue) its report to await.</summary>
public sealed class BrokerTask
{
    private readonly Task<TaskReport>? _report;
    private readonly string? _resultQueue;

    internal BrokerTask(string id, string name, Task<TaskReport>? report, string? resultQueue)
    {
        Id = id;
        Name = name;
        _report = report;
        _resultQueue = resultQueue;
    }

    /// <summary>The task's id: its message's <c>message_id</c>, and its result's <c>correlation_id</c>.</summary>
    public string Id { get; }

    /// <summary>The task's name.</summary>
    public string Name { get; }

    /// <summary>Completes with the task's report when its result arrives.</summary>
    /// <exception cref="InvalidOperationException">The client sends results to a shared queue
    /// (<see cref="BrokerClientOptions.ResultQueue"/>), so they are read there, not here.</exception>
    public Task<TaskReport> Report => _report
        ?? throw new InvalidOperationException($"the result of task {Id} goes to the queue '{_resultQueue}'; read it there, or connect without BrokerClientOptions.ResultQueue to await it");

    /// <summary>Awaits <see cref="Report"/>.</summary>
    public TaskAwaiter<TaskReport> GetAwaiter() => Report.GetAwaiter();
}
