using FuncExec.Core.Tasks;

namespace FuncExec.Scheduler;

/// <summary>A submitted task and what became of it.</summary>
internal readonly record struct FinishedTask(SubmittedTask Task, TaskReport Report);
