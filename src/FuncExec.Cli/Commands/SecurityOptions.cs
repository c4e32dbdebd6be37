using System.CommandLine;
using FuncExec.Protocol.Connections;

namespace FuncExec.Cli.Commands;

/// <summary>The options every networked verb shares: the cluster secret and TLS files.</summary>
internal sealed class SecurityOptions
{
    public Option<string?> Secret { get; } = new("--secret", "-s")
    {
        Description = "Shared secret of the cluster (default: $FUNCEXEC_SECRET, else none); both sides prove they know it",
    };

    public Option<FileInfo?> CertFile { get; } = new("--certfile")
    {
        Description = "PEM certificate: the scheduler serves TLS with it; nodes and clients trust it",
    };

    public Option<FileInfo?> KeyFile { get; } = new("--keyfile")
    {
        Description = "PEM private key of --certfile: the scheduler serves TLS with it; a node or client given it presents the certificate as its own (mutual TLS)",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Secret);
        command.Options.Add(CertFile);
        command.Options.Add(KeyFile);
    }

    public TransportSecurity Read(ParseResult parse) => new()
    {
        Secret = parse.GetValue(Secret) ?? Environment.GetEnvironmentVariable("FUNCEXEC_SECRET"),
        CertFile = parse.GetValue(CertFile)?.FullName,
        KeyFile = parse.GetValue(KeyFile)?.FullName,
    };
}
