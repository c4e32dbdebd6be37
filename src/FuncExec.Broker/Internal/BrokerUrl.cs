using RabbitMQ.Client;

namespace FuncExec.Broker.Internal;

/// <summary>AMQP URLs (<c>amqp://user:pass@host:5672/vhost</c>): parsing, and showing them without their password.</summary>
internal static class BrokerUrl
{
    /// <summary><paramref name="url"/> with its password replaced by <c>***</c>, fit for messages and logs.</summary>
    public static string Redact(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var start = scheme < 0 ? 0 : scheme + 3;
        var at = url.IndexOf('@', start);
        if (at < 0)
        {
            return url;
        }

        var colon = url.IndexOf(':', start, at - start);
        return colon < 0 ? url : string.Concat(url.AsSpan(0, colon + 1), "***", url.AsSpan(at));
    }

    /// <summary>Why connecting failed, in the words of the innermost error (the client library wraps it twice).</summary>
    public static string Reason(Exception e) => e.GetBaseException().Message;

    /// <summary>A connection factory for <paramref name="url"/>, without automatic recovery: the callers
    /// reconnect themselves, so that what was unacknowledged on the old connection is never acknowledged on the new.</summary>
    /// <exception cref="BrokerConnectionException">The URL is not an <c>amqp://</c> or <c>amqps://</c> URL.</exception>
    public static ConnectionFactory CreateFactory(string url, TimeSpan connectTimeout, string clientName)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps"))
        {
            throw new BrokerConnectionException(Redact(url), "not a broker URL; write amqp://user:password@host:5672/vhost");
        }

        try
        {
            return new ConnectionFactory
            {
                Uri = uri,
                AutomaticRecoveryEnabled = false,
                TopologyRecoveryEnabled = false,
                RequestedConnectionTimeout = connectTimeout,
                ClientProvidedName = clientName,
            };
        }
        catch (ArgumentException e)
        {
            // The factory rejects what Uri accepted but AMQP does not (a path of several segments, say).
            throw new BrokerConnectionException(Redact(url), $"not a broker URL ({e.Message}); write amqp://user:password@host:5672/vhost", e);
        }
    }
}
