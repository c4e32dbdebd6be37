using System.CommandLine;

namespace FuncExec.Cli.Commands;

/// <summary><c>funcexec broker</c>: a durable RabbitMQ task queue in front of a cluster.</summary>
internal static class BrokerCommand
{
    public static Command Create() => new("broker", "A durable task queue on RabbitMQ: producers submit tasks, 'serve' runs them on a cluster and sends the results back")
    {
        BrokerServeCommand.Create(),
        BrokerSubmitCommand.Create(),
    };
}
