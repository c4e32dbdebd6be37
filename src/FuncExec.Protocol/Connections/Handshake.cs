using System.Security.Cryptography;
using FuncExec.Protocol.Framing;
using FuncExec.Protocol.V1;
using Google.Protobuf;

namespace FuncExec.Protocol.Connections;

/// <summary>
/// The handshake that opens every connection between the scheduler and a node or client, run
/// over the stream <see cref="SecureTransport"/> returns.
/// </summary>
/// <remarks>
/// <para>The exchange (see <c>cluster.proto</c>), one frame each, at most 64 KiB:</para>
/// <code>
/// peer      -> scheduler  Hello     {version, role, name, peer_nonce[, client_token, reattach_ms]}
/// scheduler -> peer       Challenge {version, scheduler_nonce, scheduler_proof = HMAC(secret, "scheduler" | peer_nonce | binding), scheduler_name}
///                         or Refused {reason}    (version mismatch, unknown role)
/// peer      -> scheduler  Proof     {peer_proof = HMAC(secret, "peer" | scheduler_nonce | binding)}
/// scheduler -> peer       Welcome   {session, pulse_interval_ms}
///                         or Refused {"wrong secret"}
/// </code>
/// <para>
/// Nonces are 32 random bytes; HMAC is HMAC-SHA256 keyed with the UTF-8 secret (empty when there is
/// none), over the ASCII label, the nonce and the channel binding. The labels differ so that neither
/// side's proof can be replayed as the other's. The binding is the SHA-256 of the scheduler's TLS
/// certificate as this side sees it (empty in plain text; see <see cref="ChannelBinding"/>), so a
/// proof made on one TLS connection is worthless on another: a man in the middle with his own
/// certificate is refused by both sides, which lets peers accept a certificate they were not told
/// to pin. Both sides prove the secret, so each can say which side is wrong. A peer that finds the scheduler's proof wrong still answers, with an empty proof, so
/// that the scheduler too reports a wrong secret instead of a dropped connection.
/// </para>
/// <para>
/// Every failure throws a <see cref="PeerProtocolException"/> (or a subtype) whose message says which
/// side is wrong and what to do, and disposes the stream. Low-level failures (garbage, an oversized
/// frame, a reset) are wrapped in a plain <see cref="PeerProtocolException"/>.
/// </para>
/// </remarks>
internal static class Handshake
{
    /// <summary>The cap on one handshake frame: a Hello is small, and a stranger must not make us allocate much.</summary>
    internal const int MaxFrameSize = 64 * 1024;

    /// <summary>The reason a scheduler gives a peer whose proof is wrong.</summary>
    internal const string WrongSecretReason = "wrong secret";

    private const int NonceSize = 32;

    private static ReadOnlySpan<byte> SchedulerLabel => "scheduler"u8;

    private static ReadOnlySpan<byte> PeerLabel => "peer"u8;

    /// <summary>The peer's side (a node or a client): says Hello, checks the scheduler's proof, proves the secret.</summary>
    /// <param name="stream">The connection, from <see cref="SecureTransport.ConnectAsync"/>.</param>
    /// <param name="role">Node or client.</param>
    /// <param name="name">This peer's name, shown in the scheduler's logs and status.</param>
    /// <param name="security">The shared secret.</param>
    /// <param name="timeout">How long the whole exchange may take.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <exception cref="AuthenticationFailedException">The two sides have different secrets.</exception>
    /// <exception cref="ProtocolMismatchException">The scheduler refused our protocol version or role.</exception>
    /// <exception cref="TlsMismatchException">The scheduler requires TLS and this side connected without it.</exception>
    /// <exception cref="HandshakeTimeoutException">The scheduler did not finish in time.</exception>
    /// <exception cref="PeerProtocolException">The scheduler closed the connection or broke the protocol.</exception>
    public static Task<HandshakeResult> ConnectAsync(
        Stream stream,
        PeerRole role,
        string name,
        TransportSecurity security,
        TimeSpan timeout,
        CancellationToken cancellationToken = default) =>
        ConnectAsync(stream, role, name, security, timeout, TimeProvider.System, ProtocolVersion.Current, identity: null, cancellationToken);

    /// <summary>As the other overload, for a client that reattaches: its Hello carries <paramref name="identity"/>'s token and reattach time.</summary>
    /// <param name="stream">The connection, from <see cref="SecureTransport.ConnectAsync"/>.</param>
    /// <param name="role">Node or client.</param>
    /// <param name="name">This peer's name, shown in the scheduler's logs and status.</param>
    /// <param name="security">The shared secret.</param>
    /// <param name="timeout">How long the whole exchange may take.</param>
    /// <param name="identity">The client's token and reattach time; none (a client that never reattaches, or a node) when null.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    public static Task<HandshakeResult> ConnectAsync(
        Stream stream,
        PeerRole role,
        string name,
        TransportSecurity security,
        TimeSpan timeout,
        ClientIdentity? identity,
        CancellationToken cancellationToken = default) =>
        ConnectAsync(stream, role, name, security, timeout, TimeProvider.System, ProtocolVersion.Current, identity, cancellationToken);

    /// <summary>
    /// The scheduler's side: reads the Hello, refuses a wrong version, proves the secret, checks the
    /// peer's proof, and sends the <see cref="Welcome"/> that <paramref name="welcome"/> makes.
    /// </summary>
    /// <param name="stream">The connection, from <see cref="SecureTransport.AcceptAsync"/>.</param>
    /// <param name="security">The shared secret.</param>
    /// <param name="schedulerName">This scheduler's name, sent to the peer.</param>
    /// <param name="welcome">
    /// Makes the welcome for an authenticated peer (assigning its session). If it throws a
    /// <see cref="PeerProtocolException"/>, the peer is sent a <see cref="Refused"/> with its message
    /// (say, "a node named n1 is already connected") and the exception is rethrown.
    /// </param>
    /// <param name="timeout">How long the whole exchange may take.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <returns>Who the peer is.</returns>
    /// <exception cref="AuthenticationFailedException">The peer does not know our secret; it was refused.</exception>
    /// <exception cref="ProtocolMismatchException">The peer speaks another protocol version or an unknown role; it was refused.</exception>
    /// <exception cref="HandshakeTimeoutException">The peer did not finish in time.</exception>
    /// <exception cref="PeerProtocolException">The peer is not a FuncExec peer, or closed the connection.</exception>
    public static Task<PeerHello> AcceptAsync(
        Stream stream,
        TransportSecurity security,
        string schedulerName,
        Func<PeerHello, Welcome> welcome,
        TimeSpan timeout,
        CancellationToken cancellationToken = default) =>
        AcceptAsync(stream, security, schedulerName, welcome, timeout, TimeProvider.System, cancellationToken);

    /// <summary><see cref="ConnectAsync(Stream, PeerRole, string, TransportSecurity, TimeSpan, CancellationToken)"/> with a clock and a version to claim, for tests.</summary>
    internal static async Task<HandshakeResult> ConnectAsync(
        Stream stream,
        PeerRole role,
        string name,
        TransportSecurity security,
        TimeSpan timeout,
        TimeProvider timeProvider,
        uint protocolVersion,
        ClientIdentity? identity = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(security);
        ArgumentNullException.ThrowIfNull(timeProvider);
        CheckTimeout(timeout);
        return await WithinAsync(
            stream,
            token => ConnectCoreAsync(stream, role, name, security, protocolVersion, identity, token),
            timeout,
            timeProvider,
            "the scheduler",
            "the scheduler",
            "check that the address is a FuncExec scheduler and that it is not overloaded",
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary><see cref="AcceptAsync(Stream, TransportSecurity, string, Func{PeerHello, Welcome}, TimeSpan, CancellationToken)"/> with a clock, for tests.</summary>
    internal static async Task<PeerHello> AcceptAsync(
        Stream stream,
        TransportSecurity security,
        string schedulerName,
        Func<PeerHello, Welcome> welcome,
        TimeSpan timeout,
        TimeProvider timeProvider,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(security);
        ArgumentNullException.ThrowIfNull(schedulerName);
        ArgumentNullException.ThrowIfNull(welcome);
        ArgumentNullException.ThrowIfNull(timeProvider);
        CheckTimeout(timeout);
        return await WithinAsync(
            stream,
            token => AcceptCoreAsync(stream, security, schedulerName, welcome, token),
            timeout,
            timeProvider,
            "a peer",
            "the peer",
            "it is not a FuncExec node or client, or it is stuck",
            cancellationToken).ConfigureAwait(false);
    }

    // One side's exchange within the timeout: on any failure the stream is closed; running out of time says who did
    // not finish (late) and what to check (hint), and a broken connection names who was at its other end (broken).
    private static async Task<T> WithinAsync<T>(
        Stream stream,
        Func<CancellationToken, Task<T>> exchange,
        TimeSpan timeout,
        TimeProvider timeProvider,
        string late,
        string broken,
        string hint,
        CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await exchange(linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            if (ex is OperationCanceledException && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new HandshakeTimeoutException($"{late} did not complete the handshake within {timeout.TotalSeconds:0.###} s; {hint}", ex);
            }

            if (ex is IOException and not PeerProtocolException or ObjectDisposedException)
            {
                throw Wrap(ex, broken);
            }

            throw;
        }
    }

    internal static string Describe(PeerRole role) => role switch
    {
        PeerRole.Node => "node",
        PeerRole.Client => "client",
        _ => $"peer of unknown role {(int)role}",
    };

    private static async Task<HandshakeResult> ConnectCoreAsync(
        Stream stream, PeerRole role, string name, TransportSecurity security, uint protocolVersion, ClientIdentity? identity, CancellationToken cancellationToken)
    {
        var me = Describe(role);
        var peerNonce = RandomNumberGenerator.GetBytes(NonceSize);
        var hello = new Hello
        {
            ProtocolVersion = protocolVersion,
            Role = role,
            Name = name,
            PeerNonce = ByteString.CopyFrom(peerNonce),
        };
        if (identity is not null)
        {
            hello.ClientToken = identity.Token;
            hello.ReattachMs = identity.ReattachMilliseconds;
        }

        await FrameWriter.WriteAsync(stream, new ClusterEnvelope { Hello = hello }, cancellationToken).ConfigureAwait(false);

        var reply = await ReadAsync(stream, "the scheduler", cancellationToken).ConfigureAwait(false);
        if (reply.BodyCase == ClusterEnvelope.BodyOneofCase.Refused)
        {
            var reason = reply.Refused.Reason;
            throw reason == SecureTransport.TlsRequiredReason
                ? new TlsMismatchException($"the scheduler refused this {me}: {reason}")
                : new ProtocolMismatchException($"the scheduler refused this {me}: {reason}");
        }

        if (reply.BodyCase != ClusterEnvelope.BodyOneofCase.Challenge)
        {
            throw new PeerProtocolException($"the scheduler answered our Hello with {reply.BodyCase}, not a Challenge; is it a FuncExec scheduler?");
        }

        var challenge = reply.Challenge;
        var scheduler = $"the scheduler '{challenge.SchedulerName}'";
        if (challenge.ProtocolVersion != protocolVersion)
        {
            // A scheduler refuses a version it does not speak; this one accepted ours but claims another.
            throw new ProtocolMismatchException(
                $"{scheduler} speaks protocol version {challenge.ProtocolVersion}; this {me} speaks {protocolVersion}: "
                + "run the same FuncExec version on both");
        }

        if (challenge.SchedulerNonce.Length != NonceSize)
        {
            throw new PeerProtocolException($"{scheduler} sent a nonce of {challenge.SchedulerNonce.Length} bytes instead of {NonceSize}");
        }

        var key = security.SecretBytes;
        var binding = ChannelBinding.Of(stream, server: false);
        try
        {
            var expected = Prove(key, SchedulerLabel, peerNonce, binding);
            if (!CryptographicOperations.FixedTimeEquals(expected, challenge.SchedulerProof.Span))
            {
                await RejectSchedulerAsync(stream, cancellationToken).ConfigureAwait(false);
                throw new AuthenticationFailedException(
                    $"{scheduler} does not know our secret (wrong --secret on one side){MiddleHint(binding)}");
            }

            var proof = new Proof { PeerProof = ByteString.CopyFrom(Prove(key, PeerLabel, challenge.SchedulerNonce.Span, binding)) };
            await FrameWriter.WriteAsync(stream, new ClusterEnvelope { Proof = proof }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        var answer = await ReadAsync(stream, scheduler, cancellationToken).ConfigureAwait(false);
        switch (answer.BodyCase)
        {
            case ClusterEnvelope.BodyOneofCase.Welcome:
                return new HandshakeResult(answer.Welcome, challenge.SchedulerName);
            case ClusterEnvelope.BodyOneofCase.Refused when answer.Refused.Reason == WrongSecretReason:
                throw new AuthenticationFailedException($"{scheduler} refused our secret (wrong --secret on one side){MiddleHint(binding)}");
            case ClusterEnvelope.BodyOneofCase.Refused:
                throw new PeerProtocolException($"{scheduler} refused this {me}: {answer.Refused.Reason}");
            default:
                throw new PeerProtocolException($"{scheduler} answered our Proof with {answer.BodyCase}, not a Welcome");
        }
    }

    private static async Task<PeerHello> AcceptCoreAsync(
        Stream stream, TransportSecurity security, string schedulerName, Func<PeerHello, Welcome> welcome, CancellationToken cancellationToken)
    {
        var first = await ReadAsync(stream, "the peer", cancellationToken).ConfigureAwait(false);
        if (first.BodyCase != ClusterEnvelope.BodyOneofCase.Hello)
        {
            throw new PeerProtocolException($"the peer opened with {first.BodyCase}, not a Hello; it does not speak the FuncExec protocol");
        }

        var hello = first.Hello;
        var peer = new PeerHello(hello.Role, hello.Name, hello.ProtocolVersion) { ClientToken = hello.ClientToken, ReattachMs = hello.ReattachMs };
        if (hello.ProtocolVersion != ProtocolVersion.Current)
        {
            var upgrade = hello.ProtocolVersion < ProtocolVersion.Current
                ? $"upgrade FuncExec on the {peer}"
                : $"upgrade FuncExec on the scheduler '{schedulerName}'";
            var reason = $"protocol version {hello.ProtocolVersion}; this scheduler speaks {ProtocolVersion.Current}: {upgrade}";
            await RefuseAsync(stream, reason, cancellationToken).ConfigureAwait(false);
            throw new ProtocolMismatchException($"refused the {peer}: {reason}");
        }

        if (hello.Role is not (PeerRole.Node or PeerRole.Client))
        {
            var reason = $"unknown peer role {(int)hello.Role}; this scheduler accepts nodes and clients: run the same FuncExec version on both sides";
            await RefuseAsync(stream, reason, cancellationToken).ConfigureAwait(false);
            throw new ProtocolMismatchException($"refused '{hello.Name}': {reason}");
        }

        if (hello.PeerNonce.Length != NonceSize)
        {
            var reason = $"the Hello's nonce has {hello.PeerNonce.Length} bytes instead of {NonceSize}";
            await RefuseAsync(stream, reason, cancellationToken).ConfigureAwait(false);
            throw new PeerProtocolException($"refused the {peer}: {reason}");
        }

        var schedulerNonce = RandomNumberGenerator.GetBytes(NonceSize);
        var key = security.SecretBytes;
        var binding = ChannelBinding.Of(stream, server: true);
        try
        {
            var challenge = new Challenge
            {
                ProtocolVersion = ProtocolVersion.Current,
                SchedulerNonce = ByteString.CopyFrom(schedulerNonce),
                SchedulerProof = ByteString.CopyFrom(Prove(key, SchedulerLabel, hello.PeerNonce.Span, binding)),
                SchedulerName = schedulerName,
            };
            await FrameWriter.WriteAsync(stream, new ClusterEnvelope { Challenge = challenge }, cancellationToken).ConfigureAwait(false);

            var second = await ReadAsync(stream, $"the {peer}", cancellationToken).ConfigureAwait(false);
            if (second.BodyCase != ClusterEnvelope.BodyOneofCase.Proof)
            {
                throw new PeerProtocolException($"the {peer} answered the Challenge with {second.BodyCase}, not a Proof");
            }

            var expected = Prove(key, PeerLabel, schedulerNonce, binding);
            if (!CryptographicOperations.FixedTimeEquals(expected, second.Proof.PeerProof.Span))
            {
                await RefuseAsync(stream, WrongSecretReason, cancellationToken).ConfigureAwait(false);
                throw new AuthenticationFailedException($"the {peer} does not know our secret (wrong --secret on one side){MiddleHint(binding)}");
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        Welcome accepted;
        try
        {
            accepted = welcome(peer);
        }
        catch (PeerProtocolException ex)
        {
            await RefuseAsync(stream, ex.Message, cancellationToken).ConfigureAwait(false);
            throw;
        }

        await FrameWriter.WriteAsync(stream, new ClusterEnvelope { Welcome = accepted }, cancellationToken).ConfigureAwait(false);
        return peer;
    }

    private static async Task<ClusterEnvelope> ReadAsync(Stream stream, string who, CancellationToken cancellationToken)
    {
        ClusterEnvelope? envelope;
        try
        {
            envelope = await FrameReader.ReadAsync(stream, ClusterEnvelope.Parser, MaxFrameSize, cancellationToken).ConfigureAwait(false);
        }
        catch (FrameTooLargeException ex)
        {
            throw new PeerProtocolException(
                $"{who} announced a frame of {ex.Length} bytes, over the {MaxFrameSize}-byte handshake cap; "
                + "it does not speak the FuncExec protocol",
                ex);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new PeerProtocolException($"{who} sent bytes that are not a FuncExec handshake frame; it does not speak the FuncExec protocol", ex);
        }
        catch (EndOfStreamException ex)
        {
            throw new PeerProtocolException($"{who} closed the connection in the middle of a handshake frame", ex);
        }

        return envelope ?? throw new PeerProtocolException($"{who} closed the connection during the handshake");
    }

    /// <summary>Sends a Refused; best effort, since the caller throws its own error either way.</summary>
    private static async Task RefuseAsync(Stream stream, string reason, CancellationToken cancellationToken)
    {
        try
        {
            var refused = new ClusterEnvelope { Refused = new Refused { Reason = reason } };
            await FrameWriter.WriteAsync(stream, refused, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The peer may already be gone; what we tell our caller does not depend on it hearing this.
        }
    }

    /// <summary>Answers a scheduler with the wrong secret with an empty proof, which can never match, so it reports the mismatch too.</summary>
    private static async Task RejectSchedulerAsync(Stream stream, CancellationToken cancellationToken)
    {
        try
        {
            await FrameWriter.WriteAsync(stream, new ClusterEnvelope { Proof = new Proof() }, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Best effort, as in RefuseAsync.
        }
    }

    private static byte[] Prove(ReadOnlySpan<byte> key, ReadOnlySpan<byte> label, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> binding)
    {
        Span<byte> data = stackalloc byte[label.Length + nonce.Length + binding.Length];
        label.CopyTo(data);
        nonce.CopyTo(data[label.Length..]);
        binding.CopyTo(data[(label.Length + nonce.Length)..]);
        return HMACSHA256.HashData(key, data);
    }

    /// <summary>Over TLS a wrong proof may also mean a relay in the middle; in plain text (loopback) it cannot.</summary>
    private static string MiddleHint(byte[] binding) =>
        binding.Length == 0 ? string.Empty : ", or something in the middle relays the connection with another TLS certificate";

    private static PeerProtocolException Wrap(Exception ex, string who) =>
        new($"the connection to {who} broke during the handshake: {ex.Message}", ex);

    private static void CheckTimeout(TimeSpan timeout)
    {
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        }
    }
}
