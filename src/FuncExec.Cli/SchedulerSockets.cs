namespace FuncExec.Cli;

/// <summary>
/// Has <c>funcexec scheduler</c> run its sockets' completions on the runtime's socket event threads rather than hand
/// each to the thread pool, by setting <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> in its own environment
/// before its first socket is made (the runtime reads it then, once).
/// </summary>
/// <remarks>
/// <para>
/// Without it, every frame a node or a client sends wakes the event thread, which queues the read's completion to the
/// thread pool; the scheduler's listener already runs frame handlers inline on the thread completing the read
/// (Kestrel's <c>UnsafePreferInlineScheduling</c>), so the pool thread only relays. Waking pool threads for that made
/// them spin waiting for the next completion: measured on W2 over scheduler and node processes, the scheduler's pool
/// threads spent about 400 µs of CPU per task, nine tenths of the scheduler's CPU, on a machine of two cores where
/// the node, its worker and the client wanted that core. Inline, the event thread reads the frame and runs its handler
/// itself: one wake-up per frame in, and no pool thread at all on the path.
/// </para>
/// <para>
/// This is safe because frame handlers never block on the network (they take the scheduler's lock briefly; a journal
/// commit a handler leads runs on it, as it did on the pool thread); with inline completions the runtime runs one
/// event thread per core, so one connection's handler delays only the connections sharing its thread. A value the
/// operator set is kept, so <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0</c> restores the pool's hand-off. Only
/// the scheduler verb: an embedded cluster runs in a user's program, whose own socket code may block in callbacks.
/// </para>
/// </remarks>
internal static class SchedulerSockets
{
    internal const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Sets the variable for the scheduler verb unless it is set already; call before any socket is made.</summary>
    public static void InlineCompletionsIfScheduler(string[] args)
    {
        if (args.Length > 0 && args[0] == "scheduler" && Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
