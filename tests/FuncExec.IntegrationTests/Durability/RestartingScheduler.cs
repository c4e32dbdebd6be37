using System.Globalization;
using FuncExec.IntegrationTests.Distributed;

namespace FuncExec.IntegrationTests.Durability;

/// <summary>A scheduler process on a fixed port that a test can SIGKILL and start again on the same port.</summary>
internal sealed class RestartingScheduler : IAsyncDisposable
{
    private readonly string[] _extra;
    private FuncexecProcess _process;

    private RestartingScheduler(FuncexecProcess process, int port, string[] extra)
    {
        _process = process;
        Port = port;
        _extra = extra;
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public FuncexecProcess Process => _process;

    /// <summary>Starts a scheduler on a free port and waits until it listens.</summary>
    public static async Task<RestartingScheduler> StartAsync(params string[] extra)
    {
        var (process, address) = await FuncexecProcess.StartSchedulerAsync(extra);
        var port = int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
        return new RestartingScheduler(process, port, extra);
    }

    /// <summary>SIGKILLs the scheduler (its whole process tree) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>Starts the scheduler again on the same port, with the same options plus <paramref name="more"/>; waits until it listens.</summary>
    public async Task RestartAsync(params string[] more)
    {
        await _process.DisposeAsync();
        _process = FuncexecProcess.Start(
            ["scheduler", "--ip-addr", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture), "--udp-port", "0", "--no-dashboard", .. _extra, .. more]);
        await _process.WaitForAsync("listening on");
    }

    /// <summary>The option that runs a scheduler without a journal, where this build's scheduler has one (<c>--no-journal</c>);
    /// none where it has no journal at all, and so runs without one anyway.</summary>
    public static async Task<string[]> NoJournalAsync()
    {
        var (_, stdout, _) = await Funcexec.RunAsync("scheduler", "--help");
        return stdout.Contains("--no-journal", StringComparison.Ordinal) ? ["--no-journal"] : [];
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
