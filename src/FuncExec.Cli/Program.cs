using System.CommandLine;
using FuncExec.Cli.Commands;

FuncExec.Cli.ServerJit.ReexecIfNeeded(args);

// `funcexec run FILE.yaml`: YAML's first read costs tens of milliseconds of code generation; pay them on the other core
// while this thread builds and parses the command line, rather than after.
if (args is ["run", .. var runArguments] && Array.Exists(runArguments, FuncExec.TaskFiles.YamlWarmUp.IsYaml))
{
    FuncExec.TaskFiles.YamlWarmUp.Start();
}

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
    SlurmCommand.Create(),
    ReportCommand.Create(),
    BenchCommand.Create(),
    BrokerCommand.Create(),
};
var parse = root.Parse(args);
// The scheduler and the node run on the generic host, whose console lifetime handles SIGTERM and Ctrl+C: a node drains
// its running tasks for up to its --drain-timeout, longer than System.CommandLine would wait before ending the process.
var hosted = parse.Errors.Count == 0 && parse.CommandResult.Command.Name is "scheduler" or "node";
var exitCode = await parse.InvokeAsync(hosted ? new InvocationConfiguration { ProcessTerminationTimeout = null } : null).ConfigureAwait(false);

// System.CommandLine prints the errors and the help of a command line it cannot parse (an unknown
// option or verb, a value that is not a number, a missing argument) and answers 1; every verb says
// 1 for "some task or host did not succeed" and 2 for wrong options, so say 2 here too.
return parse.Errors.Count > 0 ? 2 : exitCode;
