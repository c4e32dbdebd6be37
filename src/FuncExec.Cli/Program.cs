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
    ResultCommand.Create(),
    ClusterCommand.Create(),
    ReportCommand.Create(),
    BenchCommand.Create(),
    BrokerCommand.Create(),
};
var parse = root.Parse(args);
var exitCode = await parse.InvokeAsync().ConfigureAwait(false);

// System.CommandLine prints the errors and the help of a command line it cannot parse (an unknown
// option or verb, a value that is not a number, a missing argument) and answers 1; every verb says
// 1 for "some task or host did not succeed" and 2 for wrong options, so say 2 here too.
return parse.Errors.Count > 0 ? 2 : exitCode;
