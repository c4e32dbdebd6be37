using FuncExec.Node.Remote;
using Microsoft.Extensions.Options;

namespace FuncExec.Hosting.Internal;

/// <summary>
/// Checks FuncExec's options at host start (<c>ValidateOnStart</c>); every failure names the setting as it is written in
/// configuration (<c>FuncExec:Scheduler:Port</c>), so a wrong value in appsettings.json, funcexec.json or an environment
/// variable is found at once.
/// </summary>
/// <param name="section">The configuration path the options are bound from, the prefix of every name.</param>
internal sealed class OptionsChecks(string section) :
    IValidateOptions<FuncExecClientOptions>, IValidateOptions<FuncExecSchedulerOptions>, IValidateOptions<FuncExecNodeOptions>
{
    public ValidateOptionsResult Validate(string? name, FuncExecClientOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Scheduler))
        {
            Address(failures, "Scheduler", options.Scheduler, list: false);
        }

        Positive(failures, "ConnectTimeout", options.ConnectTimeout);
        Secret(failures, options.Secret, options.SecretFile);
        KeyNeedsCert(failures, options.CertFile, options.KeyFile);
        return Result(failures);
    }

    public ValidateOptionsResult Validate(string? name, FuncExecSchedulerOptions options)
    {
        var failures = new List<string>();
        Port(failures, "Port", options.Port);
        Port(failures, "UdpPort", options.UdpPort);
        Required(failures, "IpAddr", options.IpAddr);
        Required(failures, "Name", options.Name);
        Positive(failures, "PulseInterval", options.PulseInterval);
        Positive(failures, "MaxFileSize", options.MaxFileSize);
        Positive(failures, "MaxInboundMemory", options.MaxInboundMemory);
        Positive(failures, "MaxStoreSize", options.MaxStoreSize);
        Positive(failures, "MaxPendingUploads", options.MaxPendingUploads);
        Positive(failures, "ResultRetention", options.ResultRetention);
        if (options.MaxReattachTime < TimeSpan.Zero)
        {
            failures.Add($"{section}:MaxReattachTime must not be negative");
        }

        if (options.Dashboard)
        {
            Port(failures, "DashboardPort", options.DashboardPort);
            Required(failures, "DashboardIp", options.DashboardIp);
        }

        if (options.NoJournal && (options.Journal is not null || options.FreshJournal))
        {
            failures.Add($"{section}:NoJournal keeps no journal, but {section}:Journal or {section}:FreshJournal is set: drop one or the other");
        }

        if (options.Journal is { } journal && string.IsNullOrWhiteSpace(journal))
        {
            failures.Add($"{section}:Journal needs a file path or a postgres:// URL");
        }

        Secret(failures, options.Secret, options.SecretFile);
        if (options.Insecure && (!string.IsNullOrEmpty(options.Secret) || !string.IsNullOrEmpty(options.SecretFile)))
        {
            failures.Add($"{section}:Insecure runs without a secret, but {section}:Secret or {section}:SecretFile is set: drop one or the other");
        }

        if (options.CertFile is not null && options.KeyFile is null)
        {
            failures.Add($"{section}:CertFile needs {section}:KeyFile on the scheduler");
        }

        KeyNeedsCert(failures, options.CertFile, options.KeyFile);
        return Result(failures);
    }

    public ValidateOptionsResult Validate(string? name, FuncExecNodeOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Scheduler))
        {
            Address(failures, "Scheduler", options.Scheduler, list: true);
        }

        Port(failures, "UdpPort", options.UdpPort);
        Required(failures, "Name", options.Name);
        Positive(failures, "MaxFileSize", options.MaxFileSize);
        Positive(failures, "MaxStoreSize", options.MaxStoreSize);
        if (options.DrainTimeout < TimeSpan.Zero)
        {
            failures.Add($"{section}:DrainTimeout must not be negative");
        }

        Secret(failures, options.Secret, options.SecretFile);
        KeyNeedsCert(failures, options.CertFile, options.KeyFile);
        return Result(failures);
    }

    private static ValidateOptionsResult Result(List<string> failures) =>
        failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

    private void Port(List<string> failures, string key, int port)
    {
        if (port is < 0 or > 65535)
        {
            failures.Add($"{section}:{key} must be between 0 and 65535 (0 picks a free one), not {port}");
        }
    }

    private void Required(List<string> failures, string key, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"{section}:{key} must not be empty");
        }
    }

    private void Positive(List<string> failures, string key, long value)
    {
        if (value <= 0)
        {
            failures.Add($"{section}:{key} must be more than 0 bytes, not {value}");
        }
    }

    private void Positive(List<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{section}:{key} must be more than 0, not {value}");
        }
    }

    private void Address(List<string> failures, string key, string text, bool list)
    {
        try
        {
            _ = list ? SchedulerAddress.ParseList(text) : [SchedulerAddress.Parse(text)];
        }
        catch (FormatException ex)
        {
            failures.Add($"{section}:{key}: {ex.Message}");
        }
    }

    private void Secret(List<string> failures, string? secret, string? secretFile)
    {
        if (!string.IsNullOrEmpty(secret) && !string.IsNullOrEmpty(secretFile))
        {
            failures.Add($"give the secret as {section}:Secret or as {section}:SecretFile, not both");
        }
        else if (!string.IsNullOrEmpty(secretFile) && !File.Exists(secretFile))
        {
            failures.Add($"{section}:SecretFile {secretFile} does not exist");
        }
    }

    private void KeyNeedsCert(List<string> failures, string? certFile, string? keyFile)
    {
        if (keyFile is not null && certFile is null)
        {
            failures.Add($"{section}:KeyFile needs {section}:CertFile");
        }
    }
}
