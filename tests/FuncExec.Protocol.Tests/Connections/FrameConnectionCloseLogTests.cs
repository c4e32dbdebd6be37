using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Diagnostics;
using FuncExec.Protocol.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace FuncExec.Protocol.Tests.Connections;

/// <summary>Issue 9: a flood of short connections from one address that pass the handshake writes a bounded log.</summary>
public sealed class FrameConnectionCloseLogTests
{
    [Fact]
    public async Task Completion_ManyPeersFromOneAddressClose_OneLineThenOneCountingTheRest()
    {
        var time = new FakeTimeProvider();
        var limiter = new LogRateLimiter(TimeSpan.FromSeconds(10), time);
        var logger = new RecordingLogger();

        for (var i = 0; i < 30; i++)
        {
            await CloseByPeerAsync(logger, limiter, "127.0.0.1");
        }

        await CloseByPeerAsync(logger, limiter, "10.0.0.2"); // another address has its own line
        time.Advance(TimeSpan.FromSeconds(10));
        await CloseByPeerAsync(logger, limiter, "127.0.0.1");

        Assert.Equal(
            [
                "client c at 127.0.0.1 closed the connection: the peer closed the connection",
                "client c at 10.0.0.2 closed the connection: the peer closed the connection",
                "client c at 127.0.0.1 closed the connection: the peer closed the connection (and 29 more like it from 127.0.0.1 in the last 10 s)",
            ],
            logger.Entries.Select(e => e.Message));
        Assert.All(logger.Entries, e => Assert.Equal(LogLevel.Information, e.Level));
    }

    [Fact]
    public async Task Completion_WithoutALimiter_EveryCloseLogged()
    {
        var logger = new RecordingLogger();

        for (var i = 0; i < 3; i++)
        {
            await CloseByPeerAsync(logger, null, "127.0.0.1");
        }

        Assert.Equal(3, logger.Entries.Count);
    }

    private static async Task CloseByPeerAsync(RecordingLogger logger, LogRateLimiter? limiter, string address)
    {
        var pair = await TcpPair.CreateAsync();
        await using var connection = new FrameConnection(pair.Server, $"client c at {address}", logger) { CloseLog = limiter, CloseLogKey = address };
        connection.Start(_ => ValueTask.CompletedTask);
        await pair.Client.DisposeAsync();
        Assert.Equal(CloseReasonKind.PeerClosed, (await connection.Completion.Within()).Kind);
    }
}
