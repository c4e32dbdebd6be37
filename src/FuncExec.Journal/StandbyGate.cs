using FuncExec.Scheduler.Journal;
using Microsoft.Extensions.Logging;

namespace FuncExec.Journal;

/// <summary>
/// Runs a scheduler behind its journal's lease: it stands by until the lease is held (a second scheduler on one
/// PostgreSQL journal), then serves; when the lease is lost it stops serving at once and the process exits with
/// <see cref="LostExitCode"/>, since a standby may already be taking over and two schedulers must never serve one
/// journal together.
/// </summary>
/// <remarks>
/// The caller returns the code <see cref="RunAsync"/> gives as the process's exit code. If serving has not ended
/// <see cref="ExitGrace"/> after the loss (a shutdown that hangs), the gate ends the process itself.
/// </remarks>
internal sealed class StandbyGate
{
    /// <summary>The exit code of a scheduler that lost its journal's lease: restart it, and it stands by.</summary>
    public const int LostExitCode = 3;

    /// <summary>How long serving may take to stop after the lease is lost before the process is ended.</summary>
    public static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(5);

    private readonly IJournalLease _lease;
    private readonly string _journal;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Action<int> _exit;
    private ITimer? _backstop;

    /// <summary>A gate for <paramref name="lease"/>, the lease of the journal described by <paramref name="journal"/> (for logs).</summary>
    public StandbyGate(IJournalLease lease, string journal, ILogger logger, TimeProvider? time = null)
        : this(lease, journal, logger, time, Environment.Exit)
    {
    }

    /// <summary>For tests: <paramref name="exit"/> instead of <see cref="Environment.Exit"/>.</summary>
    internal StandbyGate(IJournalLease lease, string journal, ILogger logger, TimeProvider? time, Action<int> exit)
    {
        _lease = lease ?? throw new ArgumentNullException(nameof(lease));
        _journal = journal ?? throw new ArgumentNullException(nameof(journal));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _time = time ?? TimeProvider.System;
        _exit = exit;
    }

    /// <summary>Waits for the lease (saying once that it stands by), then runs <paramref name="serveAsync"/> with a token
    /// cancelled when <paramref name="cancellationToken"/> is or when the lease is lost.</summary>
    /// <returns><see cref="LostExitCode"/> when the lease was lost; 0 when serving ended otherwise.</returns>
    /// <exception cref="JournalException">The lease cannot be had (another process has a SQLite journal open, the database cannot be reached at first).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while standing by.</exception>
    public async Task<int> RunAsync(Func<CancellationToken, Task> serveAsync, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(serveAsync);
        var start = _time.GetTimestamp();
        var waited = false;
        await _lease.AcquireAsync(
            what =>
            {
                waited = true;
                JournalLog.StandingBy(_logger, what);
            },
            cancellationToken).ConfigureAwait(false);
        if (waited)
        {
            JournalLog.Serving(_logger, _journal, _time.GetElapsedTime(start).TotalSeconds);
        }

        using var serving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lease.Lost);
        using var onLost = _lease.Lost.Register(() =>
        {
            JournalLog.Exiting(_logger, _journal, LostExitCode);
            _backstop = _time.CreateTimer(
                _ =>
                {
                    JournalLog.ForcedExit(_logger, _journal, ExitGrace.TotalSeconds);
                    _exit(LostExitCode);
                },
                null,
                ExitGrace,
                Timeout.InfiniteTimeSpan);
        });
        try
        {
            await serveAsync(serving.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (serving.IsCancellationRequested)
        {
            // Stopped by the caller, or by the lost lease: which one decides the exit code below.
        }

        return _lease.Lost.IsCancellationRequested ? LostExitCode : 0;
    }

    /// <summary>Whether the backstop that ends the process is armed (the lease was lost); for tests.</summary>
    internal bool ExitArmed => _backstop is not null;
}
