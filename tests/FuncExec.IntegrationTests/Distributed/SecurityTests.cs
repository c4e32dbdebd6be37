using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using FuncExec.Client;
using FuncExec.Protocol;
using FuncExec.Protocol.Framing;
using FuncExec.Protocol.V1;
using Google.Protobuf;
using static FuncExec.IntegrationTests.Tasks;

namespace FuncExec.IntegrationTests.Distributed;

/// <summary>Secrets, TLS and hostile bytes against a real scheduler process.</summary>
public sealed class SecurityTests : IDisposable
{
    private readonly DirectoryInfo _certs = Directory.CreateTempSubdirectory("funcexec-tls-");

    public void Dispose() => _certs.Delete(recursive: true);

    [Fact]
    public async Task Run_WrongSecret_RefusedWithAMessageOnBothSides()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--secret", "right");
        await using var _ = scheduler;
        var file = Path.Combine(Funcexec.RepositoryRoot(), "examples", "tasks.yaml");

        var (exitCode, _, stderr) = await Funcexec.RunAsync("run", file, "--scheduler", address, "--secret", "wrong");

        Assert.Equal(2, exitCode);
        Assert.Contains("secret", stderr, StringComparison.Ordinal);
        await scheduler.WaitForAsync("secret");
    }

    [Fact]
    public async Task Node_RightSecretAndTls_JoinsAndRuns()
    {
        var (cert, key) = await MakeCertificateAsync();
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--secret", "s3", "--certfile", cert, "--keyfile", key);
        await using var _ = scheduler;
        // The node holds the key too, so it also proves itself with the certificate (mutual TLS).
        await using var node = FuncexecProcess.Start("node", "--scheduler", address, "-c", "1", "--secret", "s3", "--certfile", cert, "--keyfile", key);
        await node.WaitForAsync("joined scheduler");
        await using var client = await RemoteCluster.ConnectAsync(address, new RemoteClusterOptions { Security = new() { Secret = "s3", CertFile = cert } });

        var report = await client.RunAsync(Code("over-tls", "return 6 * 7;"));

        Assert.Equal("42", report.ResultJson);
    }

    [Fact]
    public async Task Run_PlainClientToTlsScheduler_RefusedSayingTlsOnBothSides()
    {
        var (cert, key) = await MakeCertificateAsync();
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--certfile", cert, "--keyfile", key);
        await using var _ = scheduler;
        var file = Path.Combine(Funcexec.RepositoryRoot(), "examples", "tasks.yaml");

        var (exitCode, _, stderr) = await Funcexec.RunAsync("run", file, "--scheduler", address);

        Assert.Equal(2, exitCode);
        Assert.Contains("TLS", stderr, StringComparison.Ordinal);
        await scheduler.WaitForAsync("TLS", times: 2); // its listening line says TLS, then the refusal
    }

    [Fact]
    public async Task Connect_PlainTextPeerKeepsSendingToATlsScheduler_StillReadsTheWholeRefusal()
    {
        var (cert, key) = await MakeCertificateAsync();
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--certfile", cert, "--keyfile", key);
        await using var _ = scheduler;
        using var socket = await ConnectAsync(address);
        socket.SendTimeout = 10_000;
        socket.ReceiveTimeout = 10_000;

        // A Hello in plain text, then a megabyte the scheduler never reads: a socket closed with input unread sends a
        // reset, and the refusal written before it must still reach this side whole.
        using (var stream = new NetworkStream(socket, ownsSocket: false))
        {
            Send(stream, new ClusterEnvelope { Hello = new Hello { ProtocolVersion = ProtocolVersion.Current, Role = PeerRole.Client, Name = "plain", PeerNonce = ByteString.CopyFrom(new byte[32]) } });
        }

        var noise = new byte[16 * 1024];
        try
        {
            for (var i = 0; i < 64; i++)
            {
                socket.Send(noise);
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted)
        {
            // The scheduler closed its end: the rest of the noise has nowhere to go. What it sent before is read below.
        }

        var received = new MemoryStream();
        var chunk = new byte[4096];
        try
        {
            int count;
            while ((count = socket.Receive(chunk)) > 0)
            {
                received.Write(chunk, 0, count);
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset)
        {
            // The reset that follows the refusal, met once what arrived before it was read.
        }

        var bytes = received.ToArray();
        Assert.True(bytes.Length >= FrameCodec.HeaderSize, $"{bytes.Length} bytes came back");
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        Assert.True(bytes.Length >= FrameCodec.HeaderSize + length, $"{bytes.Length} bytes of a refusal frame of {FrameCodec.HeaderSize + length}");
        var answer = ClusterEnvelope.Parser.ParseFrom(bytes, FrameCodec.HeaderSize, length);
        Assert.Equal("this scheduler requires TLS; connect with --certfile", answer.Refused?.Reason);
        await scheduler.WaitForAsync("plain-text peer connected to this TLS scheduler");
    }

    [Fact]
    public async Task Run_ClientPinsAnotherCertificate_RefusedNamingItOnBothSides()
    {
        var (cert, _) = await MakeCertificateAsync();
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync(); // serves its generated certificate
        await using var _ = scheduler;
        var file = Path.Combine(Funcexec.RepositoryRoot(), "examples", "tasks.yaml");

        var (exitCode, _, stderr) = await Funcexec.RunAsync("run", file, "--scheduler", address, "--certfile", cert);

        Assert.Equal(2, exitCode);
        Assert.Contains("give this side the scheduler's certificate as --certfile", stderr, StringComparison.Ordinal);
        // Under TLS 1.3 the scheduler's side of the TLS handshake is over before the client checks
        // the certificate, so the scheduler sees the client hang up during the FuncExec handshake.
        await scheduler.WaitForAsync("refused a connection from", times: 1);
    }

    [Fact]
    public async Task Connect_OtherProtocolVersion_RefusedWithBothVersions()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync();
        await using var _ = scheduler;
        using var socket = await ConnectAsync(address);
        using var stream = new NetworkStream(socket);

        Send(stream, new ClusterEnvelope { Hello = new Hello { ProtocolVersion = 99, Role = PeerRole.Client, Name = "time-traveller", PeerNonce = ByteString.CopyFrom(new byte[32]) } });
        var buffer = new byte[1024];
        var answer = FrameCodec.Read(stream, ClusterEnvelope.Parser, ref buffer);

        Assert.NotNull(answer?.Refused);
        Assert.Contains("99", answer.Refused.Reason, StringComparison.Ordinal);
        await scheduler.WaitForAsync("99");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("oversized")]
    public async Task Connect_HostileBytes_ClosesThatConnectionOnlySchedulerKeepsServing(string kind)
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync();
        await using var _ = scheduler;
        await using var node = FuncexecProcess.Start("node", "--scheduler", address, "-c", "1");
        await node.WaitForAsync("joined scheduler");
        await using var client = await RemoteCluster.ConnectAsync(address);

        using (var socket = await ConnectAsync(address))
        {
            var bytes = kind == "garbage"
                ? [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919))]
                : new byte[] { 0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3 };
            socket.Send(bytes);
            var sink = new byte[256];
            var stopwatch = Stopwatch.StartNew();
            socket.ReceiveTimeout = 10_000;
            while (socket.Receive(sink) > 0)
            {
                // Drain until the scheduler closes its end.
            }

            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10));
        }

        var report = await client.RunAsync(Method("still-served", "System.Math.Max", 3, 8));
        Assert.Equal("8", report.ResultJson);
        Assert.Contains("refused a connection", scheduler.Output, StringComparison.Ordinal);
    }

    private static void Send(Stream stream, ClusterEnvelope envelope)
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameCodec.Write(buffer, envelope);
        stream.Write(buffer.WrittenSpan);
    }

    private static async Task<Socket> ConnectAsync(string address)
    {
        var port = int.Parse(address.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port);
        return socket;
    }

    /// <summary>A self-signed certificate made the way the README tells users to, with openssl.</summary>
    private async Task<(string Cert, string Key)> MakeCertificateAsync()
    {
        var cert = Path.Combine(_certs.FullName, "cert.pem");
        var key = Path.Combine(_certs.FullName, "key.pem");
        using var openssl = Process.Start(new ProcessStartInfo("openssl",
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
             "-subj", "/CN=funcexec", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", cert])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var error = await openssl.StandardError.ReadToEndAsync();
        await openssl.WaitForExitAsync();
        Assert.True(openssl.ExitCode == 0, error);
        return (cert, key);
    }
}
