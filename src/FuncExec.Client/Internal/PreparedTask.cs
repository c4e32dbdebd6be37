using FuncExec.Protocol.V1;
using FuncExec.Core.Tasks;
using FuncExec.Scheduler;

namespace FuncExec.Client.Internal;

/// <summary>A task ready for the scheduler, or the report of why it cannot run.</summary>
internal readonly record struct PreparedTask(SubmittedTaskSpec? Task, TaskReport? Refused);
