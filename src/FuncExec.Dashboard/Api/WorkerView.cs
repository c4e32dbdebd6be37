namespace FuncExec.Dashboard.Api;

/// <summary>A worker slot.</summary>
/// <param name="Name">As tasks report it: <c>node/worker-N</c>.</param>
/// <param name="State"><c>idle</c>, <c>busy</c>, <c>held</c> (by a multi-core task), <c>starting</c>, or <c>draining</c> (its node is stopping: it finishes its task and takes no more).</param>
/// <param name="Task">The task it runs, or 0.</param>
/// <param name="Cpu">CPU use of its core, percent; -1 when not reported yet.</param>
internal sealed record WorkerView(int Id, string Name, int Core, string State, long Task, string TaskName, double Cpu, int InFlight);
