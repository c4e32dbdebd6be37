using System.CommandLine;
using FuncExec.Cli.Commands;

FuncExec.Cli.ServerJit.ReexecIfNeeded(args);

var root = new RootCommand("FuncExec: run functions concurrently on every core, each in a worker process pinned to its core.")
{
    ExecCommand.Create(),
    RunCommand.Create(),
    SchedulerCommand.Create(),
    NodeCommand.Create(),
    StatusCommand.Create(),
    KillCommand.Create(),
    ClusterCommand.Create(),
    ReportCommand.Create(),
    BenchCommand.Create(),
    BrokerCommand.Create(),
};
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
