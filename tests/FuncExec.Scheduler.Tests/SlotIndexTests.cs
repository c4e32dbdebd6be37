using FuncExec.Scheduler.Resources;

namespace FuncExec.Scheduler.Tests;

/// <summary>
/// The slot index picks what a look at every slot in node order picks (the rule placement had before the index:
/// <see cref="PrefetchPolicy.Room"/>, the most room, then the fewest tasks, then the first), whatever happens to the
/// slots: tasks placed and ended, short and long, workers readied and lost, cores held by wide tasks, nodes joining and
/// leaving. Thousands of random steps per seed, each followed by the question for every kind of task.
/// </summary>
public sealed class SlotIndexTests
{
    private static readonly double[] Estimates = [double.NaN, 1, 10, 400, 1999, PrefetchPolicy.LongTaskMicroseconds + 1];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Picks_what_a_scan_of_every_slot_picks(int seed)
    {
        var random = new Random(seed);
        var index = new SlotIndex();
        var nodes = new List<NodeResources>();
        var nextNode = 0;
        void Join()
        {
            var node = new NodeResources(nextNode++, new RecordingNode(0), [.. Enumerable.Range(0, random.Next(1, 6))]);
            nodes.Add(node);
            index.Add(node);
        }

        for (var i = 0; i < 4; i++)
        {
            Join();
        }

        for (var step = 0; step < 5_000; step++)
        {
            switch (random.Next(12))
            {
                case 0 when nodes.Count < 8:
                    Join();
                    break;
                case 1 when nodes.Count > 1:
                    var leaving = nodes[random.Next(nodes.Count)];
                    nodes.Remove(leaving);
                    index.Remove(leaving);
                    // A slot of a node that left may still change as its tasks are settled: it stays out.
                    leaving.Slots[0].InFlight = 0;
                    leaving.Slots[0].Ready = true;
                    break;
                default:
                    Change(AnySlot(nodes, random), random);
                    break;
            }

            foreach (var estimate in Estimates)
            {
                Assert.Same(Scan(nodes, estimate), index.Best(estimate));
            }

            Assert.Equal(nodes.SelectMany(n => n.Slots).Count(s => s.Ready && s.HeldBy == 0 && s.InFlight == 0), index.IdleCount);
        }
    }

    [Fact]
    public void A_slot_changed_several_times_between_questions_is_filed_by_its_last_state()
    {
        var index = new SlotIndex();
        var node = new NodeResources(0, new RecordingNode(0), [0, 1]);
        index.Add(node);
        node.Slots[0].Ready = true;
        node.Slots[1].Ready = true;
        node.Slots[0].InFlight = 1;
        node.Slots[0].ShortWorkUs = 100;
        node.Slots[1].InFlight = 1;
        node.Slots[1].ShortWorkUs = 900;
        Assert.Same(node.Slots[0], index.Best(10));

        node.Slots[0].ShortWorkUs = 1000;
        node.Slots[0].ShortWorkUs = 1500;
        node.Slots[1].ShortWorkUs = 50;
        Assert.Same(node.Slots[1], index.Best(10));

        node.Slots[1].InFlight = 0;
        node.Slots[1].ShortWorkUs = 0;
        Assert.Same(node.Slots[1], index.Best(double.NaN));
        node.Slots[1].Ready = false;
        Assert.Same(node.Slots[0], index.Best(10));
        Assert.Null(index.Best(1999)); // 1,500 µs queued leaves no room for 1,999 more.
    }

    private static WorkerSlot AnySlot(List<NodeResources> nodes, Random random)
    {
        var node = nodes[random.Next(nodes.Count)];
        return node.Slots[random.Next(node.Slots.Count)];
    }

    private static void Change(WorkerSlot slot, Random random)
    {
        switch (random.Next(7))
        {
            case 0:
                slot.Ready = !slot.Ready;
                break;
            case 1:
                // A short task placed.
                slot.InFlight++;
                slot.ShortWorkUs += random.Next(1, 800);
                break;
            case 2:
                // A long task placed.
                slot.InFlight++;
                slot.LongInFlight++;
                break;
            case 3 when slot.InFlight > 0:
                // A task ended.
                slot.InFlight--;
                if (slot.LongInFlight > 0 && random.Next(2) == 0)
                {
                    slot.LongInFlight--;
                }
                else
                {
                    slot.ShortWorkUs = slot.InFlight == 0 ? 0 : Math.Max(0, slot.ShortWorkUs - random.Next(1, 800));
                }

                break;
            case 4:
                slot.HeldBy = slot.HeldBy == 0 ? random.Next(1, 100) : 0;
                break;
            case 5:
                // Many at once: the depth cap.
                slot.InFlight = random.Next(2) == 0 ? PrefetchPolicy.MaxDepth : PrefetchPolicy.MaxDepth - 1;
                slot.LongInFlight = 0;
                slot.ShortWorkUs = random.Next(0, 50);
                break;
            default:
                slot.InFlight = 0;
                slot.LongInFlight = 0;
                slot.ShortWorkUs = 0;
                break;
        }
    }

    /// <summary>The rule as placement applied it to every slot before there was an index.</summary>
    private static WorkerSlot? Scan(List<NodeResources> nodes, double estimate)
    {
        WorkerSlot? best = null;
        var bestRoom = 0.0;
        foreach (var slot in nodes.SelectMany(n => n.Slots))
        {
            if (!slot.Ready || slot.HeldBy != 0)
            {
                continue;
            }

            var room = PrefetchPolicy.Room(slot, estimate);
            if (room > bestRoom || (room == bestRoom && best is not null && room > 0 && slot.InFlight < best.InFlight))
            {
                best = slot;
                bestRoom = room;
            }
        }

        return best;
    }
}
