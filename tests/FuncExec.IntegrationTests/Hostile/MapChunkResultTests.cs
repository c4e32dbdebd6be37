using System.Globalization;
using System.Text.Json;
using FuncExec.Client;
using FuncExec.IntegrationTests.Distributed;
using FuncExec.Protocol.V1;
using FuncExec.TestJobs;
using Google.Protobuf;

namespace FuncExec.IntegrationTests.Hostile;

/// <summary>Issue 14: a node answers a map's chunks with results that are not their items' results (too few, truncated,
/// too many, not JSON, not UTF-8). The map fails naming the first such chunk it reads and what was wrong; the task beside it and the
/// next map are unharmed.</summary>
public sealed class MapChunkResultTests
{
    private const string Secret = "map-chunk-secret";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task MapAsync_NodeAnswersChunksWithWrongCountTruncatedOrOversizedResults_ClearErrorAndOtherTasksUnharmed()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--secret", Secret);
        await using var _ = scheduler;
        // One worker: the scheduler has no other worker to move a prefetched task to, so it never takes one back
        // (which this rogue would not answer).
        await using var rogue = await RoguePeer.JoinAsNodeAsync(address, "rogue", Secret, workers: 1);
        await scheduler.WaitForAsync("node rogue joined");
        rogue.Send(new ClusterEnvelope { WorkerReady = new WorkerReady { WorkerId = 0 } });
        var honest = false;
        using var stop = new CancellationTokenSource();
        var answering = Task.Run(() => AnswerAsync(rogue, () => Volatile.Read(ref honest), stop.Token));

        await using var cluster = await RemoteCluster.ConnectAsync(address, new RemoteClusterOptions { Security = new() { Secret = Secret } });
        await using var computation = await cluster.ScheduleAsync();
        var single = await computation.SubmitAsync(() => ApiJobs.Square(7));
        var map = computation.MapAsync(Enumerable.Range(0, 15), x => ApiJobs.Square(x), new TaskOptions { ChunkSize = 3 });

        var error = await Assert.ThrowsAsync<TaskFailedException>(() => map.WaitAsync(Patience));

        // The map fails on the first wrong chunk its client reads, which need not be the first one sent: the error
        // names that chunk and what was wrong with it.
        Assert.Equal("FuncExec.MapChunkResultInvalid", error.RemoteType);
        var wrong = new Dictionary<string, string>
        {
            ["[0..2]"] = "returned 2 results",
            ["[3..5]"] = "returned a result that",
            ["[6..8]"] = "returned more results than that",
            ["[9..11]"] = "returned a result that",
            ["[12..14]"] = "returned a result that",
        };
        Assert.Contains(wrong, w => error.RemoteMessage!.Contains($"{w.Key}'", StringComparison.Ordinal) && error.RemoteMessage.Contains(w.Value, StringComparison.Ordinal));
        Assert.Contains("rogue", error.RemoteMessage, StringComparison.Ordinal);
        Assert.Equal(49, await single.Result.WaitAsync(Patience));

        // The same computation, connection and node go on: an honest answer is read as always.
        Volatile.Write(ref honest, true);
        Assert.Equal(Enumerable.Range(0, 15).Select(x => x * x), await computation.MapAsync(Enumerable.Range(0, 15), x => ApiJobs.Square(x), new TaskOptions { ChunkSize = 3 }).WaitAsync(Patience));
        await stop.CancelAsync();
        await answering;
    }

    // Answers every task handed to the rogue: single tasks honestly; each map chunk by the place of its first item, unless honest.
    private static async Task AnswerAsync(RoguePeer rogue, Func<bool> honest, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            ClusterEnvelope assigned;
            try
            {
                assigned = await rogue.ReceiveAsync(ClusterEnvelope.BodyOneofCase.NodeAssign).WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var results = new NodeResults { WorkerId = assigned.NodeAssign.WorkerId };
            foreach (var task in assigned.NodeAssign.Tasks)
            {
                using var arguments = JsonDocument.Parse(task.ArgsJson.Memory);
                string json;
                if (!task.MapChunk)
                {
                    var x = arguments.RootElement[0].GetInt32();
                    json = (x * x).ToString(CultureInfo.InvariantCulture);
                }
                else
                {
                    var items = arguments.RootElement.EnumerateArray().Select(item => item[0].GetInt32()).ToArray();
                    var squares = string.Join(',', items.Select(x => (x * x).ToString(CultureInfo.InvariantCulture)));
                    json = honest() ? $"[{squares}]" : items[0] switch
                    {
                        0 => "[0,1]",                               // too few
                        3 => $"[{squares}",                         // truncated
                        6 => $"[{squares},100,121]",                // too many
                        9 => "[81,\"hundred\",121]",                // not the results' type
                        12 => "[144,\"\uFFFF\",196]",               // not UTF-8: its bytes are changed below
                        _ => $"[{squares}]",
                    };
                }

                // The client reads the bytes the node sent, as the scheduler passes them on: bytes that are not UTF-8
                // (0xFF never is) stay so on the way.
                var bytes = System.Text.Encoding.UTF8.GetBytes(json);
                var marker = System.Text.Encoding.UTF8.GetBytes("\uFFFF");
                var at = bytes.AsSpan().IndexOf(marker);
                if (at >= 0)
                {
                    bytes = [.. bytes[..at], 0xFF, 0xFE, .. bytes[(at + marker.Length)..]];
                }

                results.Results.Add(new TaskResult
                {
                    TaskId = task.TaskId,
                    Attempt = task.Attempt,
                    Outcome = TaskOutcome.Succeeded,
                    ResultJson = ByteString.CopyFrom(bytes),
                });
            }

            rogue.Send(new ClusterEnvelope { NodeResults = results });
        }
    }
}
