using System.CommandLine;
using FuncExec.Protocol.Connections;

namespace FuncExec.Cli.Commands;

/// <summary>The options every networked verb shares: the cluster secret and TLS files.</summary>
internal sealed class SecurityOptions
{
    public Option<string?> Secret { get; } = new("--secret", "-s")
    {
        Description = "Shared secret of the cluster (default: --secret-file, else $FUNCEXEC_SECRET, else the one a scheduler on this machine generated); both sides prove they know it",
    };

    public Option<FileInfo?> SecretFile { get; } = new("--secret-file")
    {
        Description = "File holding the shared secret, readable by its owner only (chmod 600), e.g. a copy of the scheduler's ~/.funcexec/scheduler-PORT/secret",
    };

    public Option<FileInfo?> CertFile { get; } = new("--certfile")
    {
        Description = "PEM certificate: the scheduler serves TLS with it; nodes and clients trust only it (without it they trust the certificate the secret vouches for)",
    };

    public Option<FileInfo?> KeyFile { get; } = new("--keyfile")
    {
        Description = "PEM private key of --certfile: the scheduler serves TLS with it; a node or client given it presents the certificate as its own (mutual TLS)",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Secret);
        command.Options.Add(SecretFile);
        command.Options.Add(CertFile);
        command.Options.Add(KeyFile);
        // Checked while parsing, so a bad secret file is a wrong option (exit 2) for every verb alike.
        command.Validators.Add(result =>
        {
            if (result.GetValue(SecretFile) is not { } file)
            {
                return;
            }

            if (result.GetValue(Secret) is not null)
            {
                result.AddError("give the secret as --secret or as --secret-file, not both");
                return;
            }

            try
            {
                _ = SchedulerStateFolder.ReadSecretFile(file.FullName);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException)
            {
                result.AddError(ex.Message);
            }
        });
    }

    /// <summary>The secret (<c>--secret</c>, else <c>--secret-file</c>, else <c>$FUNCEXEC_SECRET</c>) and TLS files.</summary>
    public TransportSecurity Read(ParseResult parse) => new()
    {
        Secret = parse.GetValue(Secret)
            ?? (parse.GetValue(SecretFile) is { } file ? SchedulerStateFolder.ReadSecretFile(file.FullName) : null)
            ?? Environment.GetEnvironmentVariable("FUNCEXEC_SECRET"),
        CertFile = parse.GetValue(CertFile)?.FullName,
        KeyFile = parse.GetValue(KeyFile)?.FullName,
    };

    /// <summary>The secret and TLS files given on the command line (or <c>$FUNCEXEC_SECRET</c>), as settings of
    /// <paramref name="section"/>: a secret given here replaces a secret file named in configuration, and the other way.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings(string section, ParseResult parse)
    {
        var transport = Read(parse);
        if (transport.Secret is { } secret)
        {
            yield return new($"{section}:Secret", secret);
            yield return new($"{section}:SecretFile", string.Empty);
        }

        if (transport.CertFile is { } certFile)
        {
            yield return new($"{section}:CertFile", certFile);
        }

        if (transport.KeyFile is { } keyFile)
        {
            yield return new($"{section}:KeyFile", keyFile);
        }
    }
}
