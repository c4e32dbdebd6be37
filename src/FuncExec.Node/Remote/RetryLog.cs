using FuncExec.Core.Text;
using Microsoft.Extensions.Logging;

namespace FuncExec.Node.Remote;

/// <summary>
/// Logs why a node cannot join its scheduler without filling the log while it keeps trying.
/// </summary>
/// <remarks>
/// Each distinct reason is logged when it first happens; while it repeats, a summary with the count of
/// attempts is logged after the 3rd, 9th, 33rd, 129th, ... failure, and once more when the reason
/// changes. The log stays short however long a node waits, and still shows it is alive and trying.
/// </remarks>
internal sealed class RetryLog(ILogger logger, string node)
{
    private string? _reason;
    private int _failures;
    private int _summarized;
    private int _nextSummary;
    private bool _announcedDiscovery;

    /// <summary>An attempt failed for <paramref name="reason"/>; the next comes in <paramref name="delay"/>.</summary>
    public void Failed(string reason, TimeSpan delay)
    {
        if (!string.Equals(reason, _reason, StringComparison.Ordinal))
        {
            Summarize(delay);
            _reason = reason;
            _failures = 1;
            _summarized = 1;
            _nextSummary = 3;
            NodeLog.Retrying(logger, node, reason, Durations.Format(delay));
            return;
        }

        _failures++;
        if (_failures >= _nextSummary)
        {
            Summarize(delay);
            _nextSummary = (_failures * 4) - 3;
        }
    }

    /// <summary>The node is looking for a scheduler by broadcast; said once until it joins.</summary>
    public void Discovering(string what)
    {
        if (!_announcedDiscovery)
        {
            _announcedDiscovery = true;
            NodeLog.Discovering(logger, node, what);
        }
    }

    /// <summary>The node joined: the next failure is logged afresh.</summary>
    public void Joined()
    {
        _reason = null;
        _failures = 0;
        _announcedDiscovery = false;
    }

    private void Summarize(TimeSpan delay)
    {
        if (_reason is not null && _failures > _summarized)
        {
            NodeLog.StillRetrying(logger, node, _failures, _reason, Durations.Format(delay));
            _summarized = _failures;
        }
    }
}
