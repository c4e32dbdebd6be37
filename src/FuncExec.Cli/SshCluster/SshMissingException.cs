
namespace FuncExec.Cli.SshCluster;

/// <summary>The ssh client is not installed on this machine.</summary>
internal sealed class SshMissingException(string program, Exception? innerException = null)
    : FuncExecException($"cannot run '{program}': install the OpenSSH client (Debian: apt-get install openssh-client)", innerException);
