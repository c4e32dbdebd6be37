using System.CommandLine;
using FuncExec.Broker;
using FuncExec.Cli.Output;
using FuncExec.Core.Tasks;
using FuncExec.Core.Text;
using FuncExec.TaskFiles;

namespace FuncExec.Cli.Commands;

/// <summary><c>funcexec broker submit FILE</c>: put a task file's tasks on the broker's queue, and optionally wait for their results.</summary>
internal static class BrokerSubmitCommand
{
    public static Command Create()
    {
        var broker = new BrokerOptions();
        var file = new Argument<FileInfo>("file") { Description = "Task file (.yaml, .yml or .json)" };
        var wait = new Option<bool>("--wait") { Description = "Wait for the results and print them as JSON lines in file order (exit code as 'funcexec run')" };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "With --wait, write the JSON Lines results to this file instead of standard output" };
        var results = new Option<string>("--results")
        {
            Description = "Without --wait, the durable queue the results go to",
            DefaultValueFactory = _ => BrokerClientOptions.DefaultResultQueue,
        };
        var command = new Command("submit", "Publish every task of a task file to the broker's queue (persistent, confirmed) and print their ids; with --wait, print their results")
        {
            file, wait, output, results,
        };
        broker.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var url = broker.ReadUrl(parse, "submit");
            if (url is null)
            {
                return Task.FromResult(2);
            }

            if (parse.GetValue(output) is not null && !parse.GetValue(wait))
            {
                Console.Error.WriteLine("broker submit: --output holds results, which only --wait waits for; add --wait");
                return Task.FromResult(2);
            }

            if (!OutputFile.CheckAll("broker submit", ("--output", parse.GetValue(output))))
            {
                return Task.FromResult(2);
            }

            return SubmitAsync(
                parse.GetValue(file)!, url, parse.GetValue(broker.Queue)!, parse.GetValue(wait), parse.GetValue(output), parse.GetValue(results)!, cancellationToken);
        });
        return command;
    }

    private static async Task<int> SubmitAsync(
        FileInfo file, string url, string queue, bool wait, FileInfo? outputFile, string resultQueue, CancellationToken cancellationToken)
    {
        if (await TaskFileInput.ReadAsync(file).ConfigureAwait(false) is not { } tasks)
        {
            return 2;
        }

        BrokerClient client;
        try
        {
            client = await BrokerClient.ConnectAsync(
                url, new BrokerClientOptions { Queue = queue, ResultQueue = wait ? null : resultQueue }, cancellationToken).ConfigureAwait(false);
        }
        catch (BrokerConnectionException ex)
        {
            await Console.Error.WriteLineAsync($"broker submit: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        await using var owned = client;
        IReadOnlyList<BrokerTask> submitted;
        try
        {
            submitted = await client.SubmitAllAsync(tasks, cancellationToken).ConfigureAwait(false);
        }
        catch (BrokerConnectionException ex)
        {
            await Console.Error.WriteLineAsync($"broker submit: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        if (!wait)
        {
            foreach (var task in submitted)
            {
                await Console.Out.WriteLineAsync($"{task.Id}\t{task.Name}").ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync($"submitted {Plural.Of(submitted.Count, "task")} to {queue}; results go to {resultQueue}").ConfigureAwait(false);
            return 0;
        }

        await Console.Error.WriteLineAsync($"submitted {Plural.Of(submitted.Count, "task")} to {queue}; waiting for their results").ConfigureAwait(false);
        await using var stream = outputFile is null ? Console.OpenStandardOutput() : outputFile.Create();
        var writer = new JsonLinesWriter(stream, submitted.Count, buffered: false, [.. submitted.Select(t => t.Id)]);
        var reports = new TaskReport[submitted.Count];
        try
        {
            await Task.WhenAll(submitted.Select(async (task, index) =>
            {
                reports[index] = await task.Report.WaitAsync(cancellationToken).ConfigureAwait(false);
                writer.Add(index, reports[index]);
            })).ConfigureAwait(false);
        }
        catch (BrokerConnectionException ex)
        {
            return await RunExit.FailedAsync(writer, "broker submit", ex.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: the tasks stay queued and run, but their results go with this client's queue.
            return await RunExit.InterruptedAsync(writer, submitted.Count, "; the others still run, their results unread").ConfigureAwait(false);
        }

        return await RunExit.CompletedAsync(writer, reports).ConfigureAwait(false);
    }
}
