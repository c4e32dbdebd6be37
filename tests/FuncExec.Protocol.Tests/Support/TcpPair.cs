using System.Net;
using System.Net.Sockets;

namespace FuncExec.Protocol.Tests.Support;

/// <summary>Two ends of a real TCP connection on 127.0.0.1.</summary>
internal sealed class TcpPair : IAsyncDisposable
{
    private TcpPair(NetworkStream client, NetworkStream server)
    {
        Client = client;
        Server = server;
    }

    public NetworkStream Client { get; }

    public NetworkStream Server { get; }

    public static async Task<TcpPair> CreateAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var accepting = listener.AcceptAsync();
        var client = await ConnectAsync(((IPEndPoint)listener.LocalEndPoint!).Port);
        var server = await accepting.Within();
        server.NoDelay = true;
        return new TcpPair(client, new NetworkStream(server, ownsSocket: true));
    }

    public static async Task<NetworkStream> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).Within();
        return new NetworkStream(socket, ownsSocket: true);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}
