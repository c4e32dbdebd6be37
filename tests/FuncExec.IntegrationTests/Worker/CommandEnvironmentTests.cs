using System.Text.Json;
using FuncExec.Node;
using FuncExec.Protocol.V1;

namespace FuncExec.IntegrationTests.Worker;

/// <summary>A command task's process starts with the node's environment, not with the runtime settings its node gives
/// the worker itself (no server or background GC, dynamic PGO, the usual tiering delay on one core).</summary>
public sealed class CommandEnvironmentTests
{
    [Fact]
    public async Task Command_OnARealWorker_GetsTheNodesRuntimeVariables_NotTheWorkersOwn()
    {
        // The node is told to give its workers server GC: the worker itself still runs without it, its commands get it.
        await using var node = await ScriptedNode.StartAsync(new NodeOptions { WorkerEnvironment = new Dictionary<string, string> { ["DOTNET_gcServer"] = "1" } });
        node.Assign(new TaskAssignment
        {
            TaskId = 1,
            Attempt = 1,
            Command = new CommandCall
            {
                File = "sh",
                Args =
                {
                    "-c",
                    """printf '%s|%s|%s|%s|%s' "${DOTNET_gcServer-unset}" "${DOTNET_gcConcurrent-unset}" "${DOTNET_TieredPGO-unset}" "${DOTNET_TC_DelaySingleProcMultiplier-unset}" "${FUNCEXEC_COMMAND_RUNTIME-unset}" """,
                },
            },
        });

        var result = await node.ResultAsync(1);

        Assert.Equal(TaskOutcome.Succeeded, result.Outcome);
        using var output = JsonDocument.Parse(result.ResultJson.ToStringUtf8());
        static string Inherited(string name) => Environment.GetEnvironmentVariable(name) ?? "unset";
        Assert.Equal(
            $"1|{Inherited("DOTNET_gcConcurrent")}|{Inherited("DOTNET_TieredPGO")}|{Inherited("DOTNET_TC_DelaySingleProcMultiplier")}|unset",
            output.RootElement.GetProperty("stdout").GetString());
    }
}
