using System.CommandLine;
using FuncExec.Broker;

namespace FuncExec.Cli.Commands;

/// <summary>The options both broker verbs share: the broker's URL and the task queue.</summary>
internal sealed class BrokerOptions
{
    public Option<string?> Url { get; } = new("--broker", "-b")
    {
        Description = "The RabbitMQ broker, amqp://user:password@host:5672/vhost (default: $FUNCEXEC_BROKER)",
    };

    public Option<string> Queue { get; } = new("--queue", "-q")
    {
        Description = "The task queue",
        DefaultValueFactory = _ => BrokerClientOptions.DefaultQueue,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Url);
        command.Options.Add(Queue);
    }

    /// <summary>The broker's URL, from the option or the environment; null (after saying so) when neither gives one.</summary>
    public string? ReadUrl(ParseResult parse, string verb)
    {
        var url = parse.GetValue(Url) ?? Environment.GetEnvironmentVariable("FUNCEXEC_BROKER");
        if (string.IsNullOrEmpty(url))
        {
            Console.Error.WriteLine($"broker {verb}: no broker; give --broker amqp://user:password@host:5672/vhost or set FUNCEXEC_BROKER");
            return null;
        }

        return url;
    }
}
