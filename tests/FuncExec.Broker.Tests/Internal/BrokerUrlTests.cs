using FuncExec.Broker.Internal;

namespace FuncExec.Broker.Tests.Internal;

public sealed class BrokerUrlTests
{
    [Theory]
    [InlineData("amqp://user:secret@host:5672/vhost", "amqp://user:***@host:5672/vhost")]
    [InlineData("amqp://user@host/", "amqp://user@host/")]
    [InlineData("amqp://host:5672", "amqp://host:5672")]
    [InlineData("amqps://u:p%40ss@h/", "amqps://u:***@h/")]
    public void Redact_Url_HidesOnlyThePassword(string url, string expected) => Assert.Equal(expected, BrokerUrl.Redact(url));

    [Theory]
    [InlineData("http://user:secret@host/")]
    [InlineData("host:5672")]
    public void CreateFactory_NotAnAmqpUrl_ThrowsWithoutThePassword(string url)
    {
        var e = Assert.Throws<BrokerConnectionException>(() => BrokerUrl.CreateFactory(url, TimeSpan.FromSeconds(1), "test"));

        Assert.DoesNotContain("secret", e.Message, StringComparison.Ordinal);
        Assert.Contains("amqp://user:password@host:5672/vhost", e.Message, StringComparison.Ordinal);
    }
}
