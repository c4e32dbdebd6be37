using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FuncExec.Node.Remote;

/// <summary>
/// Finding a scheduler on the local network by UDP broadcast.
/// </summary>
/// <remarks>
/// A node broadcasts <c>funcexec-discover/1</c> to the UDP port; a scheduler listening there
/// answers its sender with <c>funcexec-scheduler/1 HOST PORT NAME</c>, where HOST is its
/// <c>--ext-ip-addr</c> or <c>-</c> for "the address this answer came from".
/// </remarks>
internal static class Discovery
{
    /// <summary>What a node sends.</summary>
    public const string Query = "funcexec-discover/1";

    private const string AnswerPrefix = "funcexec-scheduler/1 ";

    /// <summary>The answer a scheduler sends.</summary>
    public static byte[] Answer(string? externalHost, int port, string name) =>
        Encoding.UTF8.GetBytes($"{AnswerPrefix}{(string.IsNullOrEmpty(externalHost) ? "-" : externalHost)} {port.ToString(CultureInfo.InvariantCulture)} {name}");

    /// <summary>Whether a datagram is a node's query.</summary>
    public static bool IsQuery(ReadOnlySpan<byte> datagram) => datagram.SequenceEqual(Encoding.UTF8.GetBytes(Query));

    /// <summary>Broadcasts queries every second until a scheduler answers or the token fires.</summary>
    /// <exception cref="IOException">The query cannot be sent at all (no route for broadcast, the network
    /// is down); the caller tries again later.</exception>
    public static async Task<SchedulerAddress> FindAsync(int udpPort, Action<string>? onAttempt, CancellationToken cancellationToken)
    {
        using var udp = new UdpClient(AddressFamily.InterNetwork) { EnableBroadcast = true };
        udp.Client.Bind(new IPEndPoint(IPAddress.Any, 0));
        var query = Encoding.UTF8.GetBytes(Query);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            onAttempt?.Invoke($"looking for a scheduler by UDP broadcast on port {udpPort}");
            try
            {
                await udp.SendAsync(query, new IPEndPoint(IPAddress.Broadcast, udpPort), cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.NetworkUnreachable or SocketError.HostUnreachable
                or SocketError.NetworkDown or SocketError.AddressNotAvailable or SocketError.AccessDenied or SocketError.NoBufferSpaceAvailable)
            {
                // A host without a network yet (no broadcast route, interface down) may get one later.
                throw new IOException(
                    $"cannot broadcast on UDP port {udpPort.ToString(CultureInfo.InvariantCulture)}: {ex.Message} (no network route? --scheduler host:port needs no broadcast)", ex);
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(TimeSpan.FromSeconds(1));
            try
            {
                while (true)
                {
                    var reply = await udp.ReceiveAsync(wait.Token).ConfigureAwait(false);
                    if (TryParseAnswer(reply.Buffer, reply.RemoteEndPoint.Address, out var address))
                    {
                        return address;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // No answer this round: ask again.
            }
        }
    }

    private static bool TryParseAnswer(byte[] datagram, IPAddress from, out SchedulerAddress address)
    {
        address = null!;
        var text = Encoding.UTF8.GetString(datagram);
        if (!text.StartsWith(AnswerPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = text[AnswerPrefix.Length..].Split(' ', 3);
        if (parts.Length < 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return false;
        }

        address = new SchedulerAddress(parts[0] == "-" ? from.ToString() : parts[0], port);
        return true;
    }
}
