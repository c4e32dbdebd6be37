namespace FuncExec.Cli.SshCluster;

/// <summary>What every node started by one <c>cluster up</c> shares: the secret, the TLS files' text, and where this build is.</summary>
internal sealed record NodeLaunch
{
    /// <summary>The cluster secret; travels inside the script on ssh's standard input, never on a command line.</summary>
    public string? Secret { get; init; }

    /// <summary>The PEM certificate the node trusts (and presents, with <see cref="KeyPem"/>).</summary>
    public string? CertPem { get; init; }

    /// <summary>The certificate's PEM key, for mutual TLS.</summary>
    public string? KeyPem { get; init; }

    /// <summary>Where <c>--install</c> puts this build on a host, under its remote folder: <c>VERSION-HASH</c>.</summary>
    public required string BuildId { get; init; }

    /// <summary>This build's <c>funcexec.dll</c> here; used on a host that shares this file system.</summary>
    public required string LocalFuncexec { get; init; }

    /// <summary>The .NET major version the host must have (with ASP.NET Core).</summary>
    public int RuntimeMajor { get; init; } = Environment.Version.Major;
}
