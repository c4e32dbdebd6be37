namespace FuncExec.Scheduler.Resources;

/// <summary>A node's worker slots.</summary>
internal sealed class NodeResources
{
    public NodeResources(int index, INodeChannel channel, IReadOnlyList<int> workerCores)
    {
        Index = index;
        Channel = channel;
        var slots = new WorkerSlot[workerCores.Count];
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i] = new WorkerSlot(this, i, workerCores[i]);
        }

        Slots = slots;
    }

    public int Index { get; }

    public INodeChannel Channel { get; }

    public IReadOnlyList<WorkerSlot> Slots { get; }

    /// <summary>The node said it is stopping: nothing more is placed on it, and when it goes it has left, not been lost.</summary>
    public bool Draining { get; set; }
}
