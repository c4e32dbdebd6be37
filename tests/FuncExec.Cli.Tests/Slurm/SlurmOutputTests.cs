using FuncExec.Slurm.Pilots;

namespace FuncExec.Cli.Tests.Slurm;

public sealed class SlurmOutputTests
{
    private const string Tag = "funcexec-pilot scheduler=10.0.0.5:9700 logs=/home/me/my logs";

    [Theory]
    [InlineData("4242\n", "4242")]
    [InlineData("4242;cluster\n", "4242")]
    [InlineData("sbatch: warning: x\n77\n", "77")]
    [InlineData("", null)]
    [InlineData("Submitted batch job 12\n", null)]
    [InlineData("12_3\n", null)]
    [InlineData("1234567890123\n", null)]
    [InlineData("-1\n", null)]
    public void ParseSubmitted_WhatSbatchPrinted_DigitsOnlyOrNull(string stdout, string? expected) =>
        Assert.Equal(expected, SlurmOutput.ParseSubmitted(stdout));

    [Fact]
    public void ParseQueue_TaggedLines_ReadEveryField_CommentMayHoldTheSeparator()
    {
        var jobs = SlurmOutput.ParseQueue(
            $"12|RUNNING|2|lab|59:40|n[1-2]|None|{Tag}\n"
            + $"13|PENDING|3|lab|1:00:00||PartitionNodeLimit|{Tag}|odd\n");

        Assert.Equal(2, jobs.Count);
        var (running, nodeList) = jobs[0];
        Assert.Equal(("12", "RUNNING", "", 2, "lab", "59:40", "10.0.0.5:9700", "/home/me/my logs"),
            (running.Id, running.State, running.Reason, running.NodeCount, running.Partition, running.TimeLeft, running.Scheduler, running.LogDirectory));
        Assert.Equal("n[1-2]", nodeList);
        Assert.True(running.IsRunning);
        Assert.Equal("n1-12", running.NodeName("n1"));
        Assert.Equal("/home/me/my logs/pilot-12-n1.log", running.NodeLog("n1"));
        Assert.Equal(("13", "PartitionNodeLimit", "/home/me/my logs|odd"), (jobs[1].Job.Id, jobs[1].Job.Reason, jobs[1].Job.LogDirectory));
        Assert.True(jobs[1].Job.IsPending);
    }

    [Theory]
    [InlineData("12|RUNNING|2|lab|5:00|n1|None|someone else's comment")]
    [InlineData("12|RUNNING|2|lab|5:00|n1|None|")]
    [InlineData("12a|RUNNING|2|lab|5:00|n1|None|" + Tag)]
    [InlineData("12|running|2|lab|5:00|n1|None|" + Tag)]
    [InlineData("12|RUN NING|2|lab|5:00|n1|None|" + Tag)]
    [InlineData("12|RUNNING|2|lab|5:00|n1|" + Tag)]
    [InlineData("garbage")]
    public void ParseQueue_LineNotFromAPilotJobOrMalformed_IsLeftOut(string line) =>
        Assert.Empty(SlurmOutput.ParseQueue(line + "\n"));

    [Fact]
    public void ParseQueue_ControlCharactersInAReason_AreMadeHarmless()
    {
        var (job, _) = Assert.Single(SlurmOutput.ParseQueue($"9|PENDING|1|lab|1:00||bad\u001b[2Jreason|{Tag}\n"));

        Assert.Equal("bad?[2Jreason", job.Reason);
    }

    [Fact]
    public void ParseHostNames_KeepsHostNamesOnly()
    {
        Assert.Equal(["n1", "cn-07.cluster", "node_3"], SlurmOutput.ParseHostNames("n1\ncn-07.cluster\n\n../etc\nnode_3\nhas space\n$(id)\n"));
    }
}
