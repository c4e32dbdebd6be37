using FuncExec.Protocol.V1;

namespace FuncExec.Protocol.Connections;

/// <summary>
/// The failure detector both ends of a node's connection run: a pulse out every interval, and the
/// connection closed once nothing has come in for <see cref="MissedPulses"/> intervals.
/// </summary>
internal static class PulseLoop
{
    /// <summary>Intervals of silence after which the peer counts as lost.</summary>
    public const int MissedPulses = 5;

    /// <summary>Runs until the connection closes (for any reason), the peer falls silent, or the token fires.</summary>
    /// <param name="connection">The started connection.</param>
    /// <param name="interval">Time between pulses.</param>
    /// <param name="time">The clock.</param>
    /// <param name="sinceLastHeard">How long since the peer last sent anything.</param>
    /// <param name="makePulse">The pulse to send.</param>
    /// <param name="peer">Who the peer is, for the reason (<c>the scheduler</c>, <c>node n1</c>).</param>
    /// <param name="cancellationToken">Stops the loop (reason <c>stopping</c>).</param>
    /// <returns>Why it ended, for the log.</returns>
    public static Task<string> RunAsync(
        FrameConnection connection,
        TimeSpan interval,
        TimeProvider time,
        Func<TimeSpan> sinceLastHeard,
        Func<Pulse> makePulse,
        string peer,
        CancellationToken cancellationToken = default) =>
        RunAsync(connection, () => interval, time, sinceLastHeard, makePulse, peer, cancellationToken);

    /// <summary>As the other overload, with an interval that may change between pulses (it is read at each one).</summary>
    public static async Task<string> RunAsync(
        FrameConnection connection,
        Func<TimeSpan> currentInterval,
        TimeProvider time,
        Func<TimeSpan> sinceLastHeard,
        Func<Pulse> makePulse,
        string peer,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(currentInterval);
        ArgumentNullException.ThrowIfNull(sinceLastHeard);
        ArgumentNullException.ThrowIfNull(makePulse);
        var interval = currentInterval();
        using var timer = new PeriodicTimer(interval, time);
        var completion = connection.Completion;
        while (true)
        {
            if (currentInterval() is var now && now != interval)
            {
                interval = now;
                timer.Period = interval;
            }

            var tick = timer.WaitForNextTickAsync(cancellationToken).AsTask();
            if (await Task.WhenAny(tick, completion).ConfigureAwait(false) == completion)
            {
                return (await completion.ConfigureAwait(false)).Message;
            }

            if (!await tick.ConfigureAwait(false))
            {
                return "stopping";
            }

            var silent = sinceLastHeard();
            if (silent > interval * MissedPulses)
            {
                var reason = $"no pulse from {peer} for {silent.TotalSeconds:0.#} s ({MissedPulses} pulse intervals of {interval.TotalSeconds:0.###} s)";
                await connection.CloseAsync(reason, CancellationToken.None).ConfigureAwait(false);
                return reason;
            }

            connection.Post(new ClusterEnvelope { Pulse = makePulse() });
        }
    }
}
