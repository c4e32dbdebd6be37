using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RabbitMQ.Client;

namespace FuncExec.IntegrationTests.Broker;

/// <summary>
/// A rabbitmq-server of the tests' own: a child process on free ports with its node name, database,
/// logs and configuration in a temporary folder, so the system's service is never touched. One per
/// test class; each test uses queues of its own.
/// </summary>
public sealed class RabbitMqBroker : IAsyncLifetime
{
    private const string BinDirectory = "/usr/lib/rabbitmq/bin";
    private readonly string _folder = Directory.CreateTempSubdirectory("funcexec-rabbitmq-").FullName;
    private readonly string _node = $"funcexec-test-{Environment.ProcessId}-{Guid.NewGuid():N}@localhost";
    private Process? _server;

    /// <summary>The AMQP port on 127.0.0.1.</summary>
    public int Port { get; private set; }

    /// <summary>The broker's URL, with the default guest login (allowed from localhost).</summary>
    public string Url => $"amqp://guest:guest@127.0.0.1:{Port}/";

    public async Task InitializeAsync()
    {
        Port = FreePort();
        var distPort = FreePort();
        File.WriteAllText(Path.Combine(_folder, "rabbitmq.conf"), "log.console = false\n");
        File.WriteAllText(Path.Combine(_folder, "enabled_plugins"), "[].\n");
        File.WriteAllText(Path.Combine(_folder, "rabbitmq-env.conf"), "");
        var start = StartInfo(Path.Combine(BinDirectory, "rabbitmq-server"));
        start.Environment["RABBITMQ_NODENAME"] = _node;
        start.Environment["RABBITMQ_NODE_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["RABBITMQ_DIST_PORT"] = distPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        start.Environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(_folder, "mnesia");
        start.Environment["RABBITMQ_LOG_BASE"] = Path.Combine(_folder, "log");
        start.Environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(_folder, "rabbitmq.conf");
        start.Environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_folder, "enabled_plugins");
        start.Environment["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(_folder, "rabbitmq-env.conf");
        _server = Process.Start(start)!;
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();

        // Startup takes seconds: ask the node until it says it is up (bounded).
        for (var attempt = 0; attempt < 90; attempt++)
        {
            if (_server.HasExited)
            {
                throw new InvalidOperationException($"rabbitmq-server exited with {_server.ExitCode}; see {_folder}/log");
            }

            if (await CtlAsync("await_startup", "--timeout", "2") == 0)
            {
                return;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"rabbitmq-server {_node} did not start; see {_folder}/log");
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await CtlAsync("stop");
            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _server.WaitForExitAsync(stopped.Token);
            }
            catch (OperationCanceledException)
            {
                // It did not stop when asked: end it and what it started for this node.
                _server.Kill(entireProcessTree: true);
            }

            _server.Dispose();
        }

        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>A connection for inspecting queues directly.</summary>
    public Task<IConnection> ConnectAsync() => new ConnectionFactory { Uri = new Uri(Url) }.CreateConnectionAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ProcessStartInfo StartInfo(string program) => new(program)
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        UseShellExecute = false,
    };

    private async Task<int> CtlAsync(params string[] args)
    {
        var start = StartInfo(Path.Combine(BinDirectory, "rabbitmqctl"));
        start.ArgumentList.Add("-n");
        start.ArgumentList.Add(_node);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var ctl = Process.Start(start)!;
        var output = ctl.StandardOutput.ReadToEndAsync();
        var error = ctl.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await ctl.WaitForExitAsync(timeout.Token);
        await output;
        await error;
        return ctl.ExitCode;
    }
}
