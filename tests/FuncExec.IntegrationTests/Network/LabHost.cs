namespace FuncExec.IntegrationTests.Network;

/// <summary>One host of a <see cref="NetworkLab"/>: a network namespace with one interface on the lab's switch.</summary>
public sealed class LabHost
{
    internal LabHost(string name, string netns, string address, string switchPort)
    {
        Name = name;
        Namespace = netns;
        Address = address;
        SwitchPort = switchPort;
    }

    /// <summary>The name the host was created with.</summary>
    public string Name { get; }

    /// <summary>The network namespace, as <c>ip netns list</c> shows it (e.g. <c>fxlab-007-node1</c>).</summary>
    public string Namespace { get; }

    /// <summary>The host's IPv4 address on the lab subnet (e.g. <c>10.200.7.2</c>), on interface <see cref="Interface"/>.</summary>
    public string Address { get; }

    /// <summary>The host's only interface besides loopback.</summary>
    /// <remarks>Every host calls it <c>eth0</c>: interface names are per namespace, so they never clash.</remarks>
    public string Interface { get; } = "eth0";

    /// <summary>The veth end in the switch namespace, enslaved to the bridge; cutting the link sets it down.</summary>
    internal string SwitchPort { get; }

    public override string ToString() => $"{Name} ({Address} in {Namespace})";
}
