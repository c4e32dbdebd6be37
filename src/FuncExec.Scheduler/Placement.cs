using FuncExec.Scheduler.Queueing;
using FuncExec.Scheduler.Resources;

namespace FuncExec.Scheduler;

/// <summary>Where a running task was placed: the slot that runs it and the slots it holds besides.</summary>
internal sealed record Placement(QueuedTask Task, WorkerSlot Primary, IReadOnlyList<WorkerSlot> Held, int Attempt);
