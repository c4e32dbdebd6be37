using FuncExec.Cli.SshCluster;

namespace FuncExec.Cli.Tests.SshCluster;

public sealed class SshFailureTests
{
    [Theory]
    [InlineData("ssh: connect to host 10.0.0.9 port 22: Connection refused\n", "unreachable (ssh: connect to host 10.0.0.9 port 22: Connection refused)")]
    [InlineData("ssh: connect to host n1 port 22: Connection timed out\n", "unreachable (")]
    [InlineData("ssh: Could not resolve hostname nosuch: Name or service not known\n", "unreachable (")]
    [InlineData("ssh: connect to host 10.0.0.9 port 22: No route to host\n", "unreachable (")]
    [InlineData("Warning: Permanently added '[10.0.0.2]:2222' (ED25519) to the list of known hosts.\nroot@10.0.0.2: Permission denied (publickey).\n",
        "authentication refused (root@10.0.0.2: Permission denied (publickey).)")]
    [InlineData("No ED25519 host key is known for node1 and you have requested strict checking.\nHost key verification failed.\n", "the host's key is not in known_hosts")]
    [InlineData("@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key verification failed.\n", "the host's key has changed")]
    [InlineData("kex_exchange_identification: banner line contains invalid characters\n", "ssh failed (kex_exchange_identification: banner line contains invalid characters)")]
    [InlineData("", "ssh failed (ssh failed without a message)")]
    public void Describe_SshStderr_ReasonAUserCanActOn(string stderr, string expected) =>
        Assert.StartsWith(expected, SshFailure.Describe(stderr), StringComparison.Ordinal);
}
