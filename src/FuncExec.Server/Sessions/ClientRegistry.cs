using System.Security.Cryptography;
using FuncExec.Protocol.Connections;

namespace FuncExec.Server.Sessions;

/// <summary>The durable clients the scheduler holds, by token: connections attach to them, and the journal's clients
/// are rebuilt into them after a restart.</summary>
internal sealed class ClientRegistry
{
    private readonly SchedulerServer _server;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DurableClient> _byToken = new(StringComparer.Ordinal);

    public ClientRegistry(SchedulerServer server)
    {
        _server = server;
    }

    /// <summary>Whether <paramref name="token"/> is one a client may give: 32 lowercase hexadecimal characters.</summary>
    public static bool IsValidToken(string token) =>
        token.Length == 32 && token.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    /// <summary>Whether a client with this token is held (attached or waiting to reattach).</summary>
    public bool Knows(string token)
    {
        if (token.Length == 0)
        {
            return false;
        }

        lock (_lock)
        {
            return _byToken.ContainsKey(token);
        }
    }

    /// <summary>The clients held now.</summary>
    public IReadOnlyList<DurableClient> All
    {
        get
        {
            lock (_lock)
            {
                return [.. _byToken.Values];
            }
        }
    }

    /// <summary>Attaches a new connection to its client: the one its token names (taking over from an older connection,
    /// which is closed), or a new one. A connection without a token is a client of its own.</summary>
    public DurableClient Attach(ClientSession session, PeerHello hello)
    {
        var asked = hello.ReattachMs == 0 ? _server.Options.DefaultReattachTime : TimeSpan.FromMilliseconds(hello.ReattachMs);
        var reattach = asked > _server.Options.MaxReattachTime ? _server.Options.MaxReattachTime : asked;
        if (hello.ClientToken.Length == 0)
        {
            var single = new DurableClient(_server, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), durable: false, hello.Name, TimeSpan.Zero);
            single.TryAttach(session, hello.Name, TimeSpan.Zero, out _);
            _server.Scheduler.ClientSeen(single, hello.Name);
            return single;
        }

        while (true)
        {
            DurableClient client;
            bool resumed;
            lock (_lock)
            {
                resumed = _byToken.TryGetValue(hello.ClientToken, out var known);
                client = known ?? new DurableClient(_server, hello.ClientToken, durable: true, hello.Name, reattach);
                _byToken[hello.ClientToken] = client;
            }

            if (!client.TryAttach(session, hello.Name, reattach, out var replaced))
            {
                Gone(client); // It went as this connection came: start afresh.
                continue;
            }

            if (replaced is not null)
            {
                ServerLog.ClientReplaced(_server.Logger, hello.Name, client.ShortToken, replaced.Remote, session.Remote);
                _ = replaced.CloseAsync("a newer connection of the same client took over").AsTask();
            }
            else if (resumed)
            {
                ServerLog.ClientReattached(_server.Logger, hello.Name, client.ShortToken, session.Remote, client.Unacknowledged);
            }

            _server.Scheduler.ClientSeen(client, hello.Name);
            return client;
        }
    }

    /// <summary>A client from the journal, detached until it reattaches (made on first mention).</summary>
    public DurableClient Restored(string token, string name)
    {
        lock (_lock)
        {
            if (!_byToken.TryGetValue(token, out var client))
            {
                client = new DurableClient(_server, token, durable: true, name, _server.Options.DefaultReattachTime);
                _byToken[token] = client;
            }

            return client;
        }
    }

    /// <summary>The client is gone; a later connection with its token starts a new one.</summary>
    public void Gone(DurableClient client)
    {
        lock (_lock)
        {
            if (_byToken.TryGetValue(client.Token, out var held) && held == client)
            {
                _byToken.Remove(client.Token);
            }
        }
    }
}
