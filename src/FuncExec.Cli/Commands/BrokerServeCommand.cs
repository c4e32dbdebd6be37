using System.CommandLine;
using FuncExec.Broker;
using FuncExec.Client;
using FuncExec.Core.Text;
using FuncExec.Protocol.Connections;
using Microsoft.Extensions.Logging;

namespace FuncExec.Cli.Commands;

/// <summary><c>funcexec broker serve</c>: consume a RabbitMQ task queue and run its tasks on a cluster.</summary>
internal static class BrokerServeCommand
{
    public static Command Create()
    {
        var broker = new BrokerOptions();
        var workers = new Option<int>("--workers", "-w")
        {
            Description = "Worker processes of the embedded cluster: N, 0 for one per core, -N to keep N cores free",
            DefaultValueFactory = _ => 0,
        };
        var scheduler = new Option<string?>("--scheduler") { Description = "host:port of a running scheduler; without it, run on the embedded local cluster" };
        var prefetch = new Option<int>("--prefetch") { Description = "Tasks taken off the queue at once (default: 4 × workers; more for tiny tasks, 1 for long ones shared by many serve processes)" };
        var debug = new Option<bool>("--debug", "-d") { Description = "Log debug messages to standard error" };
        var security = new SecurityOptions();
        var command = new Command("serve", "Take tasks off the broker's queue, run them on the embedded cluster or a scheduler's, and send each result to its reply_to queue; runs until Ctrl+C")
        {
            workers, scheduler, prefetch, debug,
        };
        broker.AddTo(command);
        security.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var url = broker.ReadUrl(parse, "serve");
            if (url is null)
            {
                return Task.FromResult(2);
            }

            if (parse.GetResult(workers) is { Implicit: false } && parse.GetValue(scheduler) is not null)
            {
                Console.Error.WriteLine("broker serve: give --workers (the embedded cluster) or --scheduler (a running one), not both");
                return Task.FromResult(2);
            }

            return ServeAsync(
                url, parse.GetValue(broker.Queue)!, parse.GetValue(workers), parse.GetValue(scheduler), parse.GetValue(prefetch),
                parse.GetValue(debug), security.Read(parse), cancellationToken);
        });
        return command;
    }

    private static async Task<int> ServeAsync(
        string url, string queue, int workers, string? schedulerAddress, int prefetch, bool debug, TransportSecurity security, CancellationToken cancellationToken)
    {
        using var logging = CliLogging.Create(debug ? LogLevel.Debug : LogLevel.Information);
        ICluster cluster;
        try
        {
            cluster = schedulerAddress is null
                ? await LocalCluster.StartAsync(new LocalClusterOptions { Workers = workers, LoggerFactory = logging }, cancellationToken).ConfigureAwait(false)
                : await RemoteCluster.ConnectAsync(schedulerAddress, new RemoteClusterOptions { Security = security, LoggerFactory = logging }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FuncExecException or PeerProtocolException or FormatException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"broker serve: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        await using var owned = cluster;
        var server = new BrokerServer(url, cluster, new BrokerServerOptions { Queue = queue, Prefetch = prefetch, LoggerFactory = logging });
        try
        {
            await server.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (BrokerConnectionException ex)
        {
            await Console.Error.WriteLineAsync($"broker serve: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (ClusterGoneException ex)
        {
            // Serving on would only take the same tasks off the queue and give them back, again and again.
            await Console.Error.WriteLineAsync($"broker serve: stopped after {Plural.Of(server.Completed, "task")}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        await Console.Error.WriteLineAsync($"broker serve: stopped after {Plural.Of(server.Completed, "task")} ({Plural.Of(server.DeadLettered, "message")} dead-lettered)").ConfigureAwait(false);
        return 0;
    }
}
