namespace FuncExec.Protocol.Connections;

/// <summary>
/// One connection's side of an <see cref="InboundMemoryBudget"/>: what its current partial frame
/// holds, and that frame's deadline.
/// </summary>
/// <remarks>Used by the read loop only, one call at a time.</remarks>
internal sealed class InboundFrameAccount : IDisposable
{
    private readonly InboundMemoryBudget _budget;
    private readonly CancellationToken _connection;
    private long _held;
    private CancellationTokenSource? _frame;
    private ITimer? _deadline;

    public InboundFrameAccount(InboundMemoryBudget budget, CancellationToken connection)
    {
        _budget = budget;
        _connection = connection;
    }

    /// <summary>What reads should be cancelled by: the connection closing, or the current frame's deadline.</summary>
    public CancellationToken Token => _frame?.Token ?? _connection;

    /// <summary>The length of the frame whose deadline passed, once it has.</summary>
    public long LateFrameLength { get; private set; }

    /// <summary>The time the late frame was given.</summary>
    public TimeSpan LateFrameDeadline { get; private set; }

    /// <summary>True when <see cref="Token"/> was cancelled by the frame's deadline, not by a close.</summary>
    public bool DeadlinePassed => _frame is { IsCancellationRequested: true } && !_connection.IsCancellationRequested;

    /// <summary>
    /// Charges the budget for what is buffered now, waiting for bytes if it is full; call before
    /// reading more.
    /// </summary>
    /// <param name="pending">Bytes of the partial frame buffered (0 between frames).</param>
    /// <param name="frameLength">The length the partial frame announced, or -1 before its header.</param>
    /// <param name="newFrame">True when whole frames were handled since the last call, so a new frame's deadline starts.</param>
    public async ValueTask ChargeAsync(long pending, long frameLength, bool newFrame)
    {
        var charge = Math.Max(0, pending - InboundMemoryBudget.ConnectionAllowance);
        if (charge < _held)
        {
            _budget.Release(_held - charge);
            _held = charge;
        }

        if (newFrame || charge == 0)
        {
            StopDeadline();
        }

        if (charge <= _held)
        {
            return;
        }

        if (_frame is null)
        {
            // The frame's first budget bytes: waiting for them holds only the allowance, so it is
            // not timed; from now on the frame is.
            await _budget.ReserveAsync(charge - _held, _connection).ConfigureAwait(false);
            _held = charge;
            StartDeadline(frameLength);
        }
        else
        {
            await _budget.ReserveAsync(charge - _held, _frame.Token).ConfigureAwait(false);
            _held = charge;
        }
    }

    public void Dispose()
    {
        StopDeadline();
        _budget.Release(_held);
        _held = 0;
    }

    private void StartDeadline(long frameLength)
    {
        var frame = CancellationTokenSource.CreateLinkedTokenSource(_connection);
        var due = _budget.FrameDeadline(frameLength);
        LateFrameLength = frameLength;
        LateFrameDeadline = due;
        _frame = frame;
        _deadline = _budget.TimeProvider.CreateTimer(static state => CancelQuietly((CancellationTokenSource)state!), frame, due, Timeout.InfiniteTimeSpan);
    }

    private void StopDeadline()
    {
        if (_frame is null)
        {
            return;
        }

        _deadline?.Dispose();
        _deadline = null;
        // Disposed, so that it no longer hangs on the connection's token.
        _frame.Dispose();
        _frame = null;
    }

    private static void CancelQuietly(CancellationTokenSource frame)
    {
        try
        {
            frame.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The frame was finished as the deadline fired: nothing to cancel.
        }
    }
}
