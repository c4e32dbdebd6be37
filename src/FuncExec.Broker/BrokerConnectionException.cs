
namespace FuncExec;

/// <summary>The broker could not be reached, refused the login, or the connection to it was lost.</summary>
/// <remarks>The message names the broker's URL without its password.</remarks>
public sealed class BrokerConnectionException : FuncExecException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="url">The broker's URL, already without its password.</param>
    /// <param name="problem">What went wrong and what to do.</param>
    /// <param name="innerException">The client library's error, if any.</param>
    public BrokerConnectionException(string url, string problem, Exception? innerException = null)
        : base($"broker {url}: {problem}", innerException)
    {
        Url = url;
    }

    /// <summary>The broker's URL, without its password.</summary>
    public string Url { get; }
}
