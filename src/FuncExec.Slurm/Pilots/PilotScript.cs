using System.Globalization;
using System.Text;
using FuncExec.Core.Text;

namespace FuncExec.Slurm.Pilots;

/// <summary>
/// The batch script of a Slurm pilot job. It runs on the job's first host and starts, with <c>srun</c>,
/// one <c>funcexec node</c> on every host of the allocation (<c>--ntasks-per-node=1</c>, <c>--whole</c>:
/// each node holds all the cores the job has on its host), then waits; on SIGUSR1 it sends SIGTERM to
/// each node process (not its workers), which drains and leaves. Each node names itself after its host and the
/// job, and starts one worker per core Slurm gave it (<c>SLURM_CPUS_PER_TASK</c>, else <c>SLURM_CPUS_ON_NODE</c>),
/// pinned to the cores of the affinity mask Slurm set, in order.
/// </summary>
/// <remarks>
/// The script holds no secret: the node reads <c>FUNCEXEC_SECRET</c>, which sbatch exports from its own
/// environment (<c>--export=ALL</c>) into the job's, where only its user (and Slurm) can read it. Every
/// word that comes from the user is shell-quoted; the per-host values are expanded by a small <c>sh -c</c>
/// on each host, since srun starts its program with no shell.
/// </remarks>
internal static class PilotScript
{
    /// <summary>The script's text.</summary>
    public static string Create(PilotRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var node = new List<string>(request.Funcexec)
        {
            "node",
            "--scheduler", request.Scheduler,
            "--drain-timeout", PilotNaming.Seconds(request.DrainTimeout) + "s",
        };
        if (request.CertFile is { } cert)
        {
            node.AddRange(["--certfile", cert]);
        }

        if (request.KeyFile is { } key)
        {
            node.AddRange(["--keyfile", key]);
        }

        node.AddRange(request.NodeArgs);
        var srun = new List<string>
        {
            "srun", "--ntasks-per-node=1", "--whole", "--kill-on-bad-exit=0",
            "--output=" + PilotNaming.NodeLog(request.LogDirectory, "%j", "%N"),
        };
        if (request.CpusPerNode is { } cpus)
        {
            srun.Add("--cpus-per-task=" + cpus.ToString(CultureInfo.InvariantCulture));
        }

        var logs = ShellQuote.Quote(request.LogDirectory);
        var script = new StringBuilder();
        script.Append("#!/bin/sh\n");
        script.Append("# A funcexec pilot job: one funcexec node on each host of the allocation, joining the scheduler at ")
            .Append(SlurmOutput.Printable(request.Scheduler)).Append(".\n");
        script.Append("# Slurm sends this script SIGUSR1 ").Append(PilotNaming.Seconds(request.DrainMargin))
            .Append(" s before the time limit (sbatch --signal=B:USR1@...), as does funcexec slurm down (scancel --batch --signal=USR1);\n");
        script.Append("# it then sends SIGTERM to the node processes alone, not to their workers, so each drains for up to ")
            .Append(PilotNaming.Seconds(request.DrainTimeout)).Append(" s and leaves.\n");
        script.Append("# The secret is FUNCEXEC_SECRET, exported by sbatch; it is not in this script.\n");
        script.Append("echo \"funcexec pilot job $SLURM_JOB_ID: nodes on $SLURM_JOB_NODELIST\"\n");
        // Slurm signals every process of a step, workers included, which would kill running tasks; the node alone
        // must get SIGTERM, so a second step (sharing the resources: --overlap) signals just the pid each node wrote.
        script.Append("drain() {\n");
        script.Append("  echo \"funcexec pilot job $SLURM_JOB_ID: telling the nodes to drain\"\n");
        script.Append("  srun --overlap --ntasks-per-node=1 --nodes=\"$SLURM_JOB_NUM_NODES\" --ntasks=\"$SLURM_JOB_NUM_NODES\" sh -c ")
            .Append(ShellQuote.Quote("p=$(cat \"$0/pilot-$SLURM_JOB_ID-$SLURMD_NODENAME.pid\") && grep -q funcexec \"/proc/$p/cmdline\" && kill -TERM \"$p\""))
            .Append(' ').Append(logs).Append('\n');
        script.Append("}\n");
        script.Append("trap drain USR1\n");
        // One task per host; the program runs through sh so each host expands its own name and core count, and
        // writes the node's pid (exec keeps it) where the drain finds it.
        script.Append(ShellQuote.Join(srun))
            .Append(" --nodes=\"$SLURM_JOB_NUM_NODES\" --ntasks=\"$SLURM_JOB_NUM_NODES\" \\\n  sh -c ")
            .Append(ShellQuote.Quote("echo $$ > \"$0/pilot-$SLURM_JOB_ID-$SLURMD_NODENAME.pid\" && exec \"$@\" --name \"$SLURMD_NODENAME-$SLURM_JOB_ID\" --cpus \"${SLURM_CPUS_PER_TASK:-${SLURM_CPUS_ON_NODE:-0}}\""))
            .Append(' ').Append(logs).Append(" \\\n  ").Append(ShellQuote.Join(node)).Append(" &\n");
        script.Append("step=$!\n");
        // wait returns early when the trap runs; the nodes' step is over only once it has really ended.
        script.Append("while :; do\n  wait \"$step\"; status=$?\n  kill -0 \"$step\" 2>/dev/null || break\ndone\n");
        script.Append("exit \"$status\"\n");
        return script.ToString();
    }

    /// <summary>The <c>sbatch</c> arguments that submit the script (on standard input) for <paramref name="request"/>.</summary>
    public static IReadOnlyList<string> SubmitArguments(PilotRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var args = new List<string>
        {
            "--parsable",
            "--job-name=" + PilotNaming.JobName,
            "--comment=" + PilotNaming.Tag(request.Scheduler, request.LogDirectory),
            "--nodes=" + request.Nodes.ToString(CultureInfo.InvariantCulture),
            "--ntasks-per-node=1",
        };
        // Whole hosts unless a core count is asked for: a node is worth its cores.
        args.Add(request.CpusPerNode is { } cpus ? "--cpus-per-task=" + cpus.ToString(CultureInfo.InvariantCulture) : "--exclusive");
        if (request.Partition is { } partition)
        {
            args.Add("--partition=" + partition);
        }

        if (request.Time is { } time)
        {
            args.Add("--time=" + time);
        }

        if (request.Account is { } account)
        {
            args.Add("--account=" + account);
        }

        // The batch shell gets SIGUSR1 this long before the limit, and tells the nodes to drain and leave.
        args.Add("--signal=B:USR1@" + PilotNaming.Seconds(request.DrainMargin));
        // The environment travels, FUNCEXEC_SECRET with it: never the secret's value on a command line.
        args.Add("--export=ALL");
        args.Add("--output=" + PilotNaming.JobLog(request.LogDirectory, "%j"));
        args.AddRange(request.ExtraSubmitArgs);
        return args;
    }
}
