using System.Diagnostics;
using System.Globalization;

namespace FuncExec.IntegrationTests.Network;

/// <summary>
/// A throwaway LAN of hosts made from Linux network namespaces, for tests of programs that talk
/// TCP and UDP broadcast to each other. Needs root and iproute2.
/// </summary>
/// <remarks>
/// <para>Layout of lab number NNN (0-255, the lowest free one; see <see cref="LabSlot"/>):</para>
/// <list type="bullet">
/// <item>namespace <c>fxlab-NNN</c> is the switch: bridge <c>br0</c> and ports <c>port0</c>, <c>port1</c>, ...</item>
/// <item>namespace <c>fxlab-NNN-NAME</c> per host: <c>lo</c> up, and <c>eth0</c>, the other end of its port's veth,
/// with address 10.200.NNN.(i+1)/24 for the i-th host name, broadcast 10.200.NNN.255, and a default route out
/// of <c>eth0</c>.</item>
/// </list>
/// <para>
/// The bridge lives in its own namespace rather than the root one so that nothing the lab makes is
/// visible outside it: the root namespace's firewall (here <c>bridge-nf-call-iptables = 1</c>, and
/// Docker's FORWARD DROP on many machines) never sees lab frames, no interface name can clash with
/// the machine's or another lab's, and deleting the lab's namespaces deletes the bridge and every
/// veth with them, so a crashed run leaves only namespaces behind, which <see cref="CleanupLeftovers"/> removes.
/// </para>
/// <para>
/// The default route has no gateway; it exists so the limited broadcast 255.255.255.255 (and code that
/// asks the kernel for its outbound address) has a route, as on a LAN. Addresses outside the subnet
/// are simply unreachable.
/// </para>
/// </remarks>
public sealed class NetworkLab : IDisposable
{
    private const string Bridge = "br0";
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(5);

    private readonly LabSlot _slot;
    private readonly Dictionary<string, LabHost> _hosts = new(StringComparer.Ordinal);
    private readonly List<LabHost> _hostOrder = [];
    // Only what this lab created, in creation order, so Dispose deletes exactly that.
    private readonly List<string> _namespaces = [];
    // Guards the process list and the disposed flag, so a Start racing Dispose is either killed or refused.
    private readonly Lock _gate = new();
    private readonly List<LabProcess> _processes = [];
    private bool _disposed;

    private NetworkLab(LabSlot slot)
    {
        _slot = slot;
        Subnet = $"10.200.{slot.Number}.0/24";
        BroadcastAddress = $"10.200.{slot.Number}.255";
    }

    /// <summary>The prefix of every namespace this lab makes, e.g. <c>fxlab-007</c>; also the switch namespace's name.</summary>
    public string Prefix => _slot.Prefix;

    /// <summary>The switch namespace, holding the bridge and one veth end per host.</summary>
    public string SwitchNamespace => _slot.Prefix;

    /// <summary>The lab's subnet, 10.200.NNN.0/24 for lab number NNN.</summary>
    public string Subnet { get; }

    /// <summary>The subnet's broadcast address, 10.200.NNN.255; 255.255.255.255 reaches the same hosts.</summary>
    public string BroadcastAddress { get; }

    /// <summary>The hosts in the order they were named; the i-th has address 10.200.NNN.(i+1).</summary>
    public IReadOnlyList<LabHost> Hosts => _hostOrder;

    /// <summary>The host with this name.</summary>
    public LabHost this[string name] => Host(name);

    /// <summary>
    /// Builds a lab with one host per name, after removing what crashed runs left behind.
    /// </summary>
    /// <param name="hostNames">1 to 254 distinct names of ASCII letters, digits, '-' and '_', at most 32 long.</param>
    public static NetworkLab Create(params string[] hostNames)
    {
        ValidateHostNames(hostNames);
        CleanupLeftovers();
        var lab = new NetworkLab(LabSlot.AcquireFree());
        try
        {
            lab.Build(hostNames);
        }
        catch (Exception failure) when (failure is not OutOfMemoryException)
        {
            try
            {
                lab.Dispose();
            }
            catch (AggregateException cleanup)
            {
                throw new AggregateException($"Creating network lab {lab.Prefix} failed and so did removing it.", failure, cleanup);
            }
            throw;
        }
        return lab;
    }

    /// <summary>The host with this name.</summary>
    /// <exception cref="KeyNotFoundException">The lab has no such host.</exception>
    public LabHost Host(string name) =>
        _hosts.TryGetValue(name, out var host)
            ? host
            : throw new KeyNotFoundException($"Network lab {Prefix} has no host \"{name}\"; its hosts are {string.Join(", ", _hosts.Keys)}.");

    /// <summary>
    /// Starts <c>ip netns exec NS fileName args...</c>: the program runs inside the host's namespace
    /// with stdout and stderr captured. The lab kills it when disposed.
    /// </summary>
    /// <param name="host">The host's name.</param>
    /// <param name="fileName">A path, or a name looked up in PATH by <c>ip</c>.</param>
    /// <param name="args">The program's arguments, passed as they are (no shell).</param>
    /// <param name="env">Variables added to (or replacing) the inherited environment.</param>
    public LabProcess Start(string host, string fileName, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(args);
        var labHost = Host(host);
        var argList = args.ToList();
        var startInfo = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // A pipe nobody writes to, so the program never reads the test runner's stdin.
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["netns", "exec", labHost.Namespace, fileName, .. argList])
            startInfo.ArgumentList.Add(arg);
        foreach (var (name, value) in env ?? new Dictionary<string, string>())
            startInfo.Environment[name] = value;

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var process = LabProcess.Start(labHost, string.Join(' ', [fileName, .. argList]), startInfo);
            _processes.Add(process);
            return process;
        }
    }

    /// <summary>
    /// Unplugs the host's cable: sets the switch end of its veth down. Frames stop both ways; the host's
    /// <c>eth0</c> keeps its address and routes and only loses carrier, like a NIC whose cable is pulled, so
    /// its programs see sends succeed and connection attempts time out (or fail with EHOSTUNREACH once ARP
    /// gives up after about 3 s), not a local error.
    /// </summary>
    public void CutLink(string host) => SetPort(Host(host), "down");

    /// <summary>Plugs the host's cable back in (sets the switch end of its veth up); traffic flows when this returns.</summary>
    public void RestoreLink(string host) => SetPort(Host(host), "up");

    /// <summary>
    /// Removes lab namespaces (<c>fxlab-*</c>) whose lab is not alive in any process, killing what still
    /// runs in them; the namespaces of live labs are left alone. <see cref="Create"/> calls it.
    /// </summary>
    /// <returns>The namespaces removed.</returns>
    public static IReadOnlyList<string> CleanupLeftovers()
    {
        var removed = new List<string>();
        var byNumber = Ip.ListNamespaces()
            .Select(netns => (Name: netns, Number: LabSlot.NumberOf(netns)))
            .Where(x => x.Number is not null)
            .GroupBy(x => x.Number!.Value, x => x.Name);
        foreach (var group in byNumber)
        {
            // Holding the number's lock while deleting also keeps a new lab from taking it meanwhile.
            using var slot = LabSlot.TryAcquire(group.Key);
            if (slot is null)
                continue;
            foreach (var netns in group)
            {
                KillEverythingIn(netns);
                DeleteNamespace(netns);
                removed.Add(netns);
            }
        }
        return removed;
    }

    /// <summary>
    /// Kills every process started in the lab and anything else still running in its namespaces, then
    /// deletes the namespaces, which takes the bridge and veths with them. Every step is attempted even
    /// if an earlier one fails; the failures are then thrown together.
    /// </summary>
    /// <exception cref="AggregateException">Some of the lab could not be removed; the next <see cref="Create"/> retries.</exception>
    public void Dispose()
    {
        LabProcess[] processes;
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            processes = [.. _processes];
        }

        var failures = new List<Exception>();
        void Attempt(Action step)
        {
            try
            {
                step();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failures.Add(e);
            }
        }

        foreach (var process in processes)
            Attempt(process.KillTree);
        // Daemons a program forked away from its tree are still in the namespace; ip netns pids finds them.
        foreach (var netns in Enumerable.Reverse(_namespaces))
            Attempt(() => KillEverythingIn(netns));
        foreach (var process in processes)
        {
            Attempt(() =>
            {
                if (!process.Completion.Wait(KillTimeout))
                    throw new TimeoutException($"{process} did not exit within {KillTimeout.TotalSeconds:0} s of SIGKILL.");
            });
            process.Dispose();
        }
        foreach (var netns in Enumerable.Reverse(_namespaces))
            Attempt(() => DeleteNamespace(netns));
        // Last: while the namespaces exist, the number must stay taken.
        _slot.Dispose();

        if (failures.Count > 0)
            throw new AggregateException($"Network lab {Prefix} was not fully removed; the next NetworkLab.Create cleans up what is left.", failures);
    }

    private static void ValidateHostNames(string[] hostNames)
    {
        ArgumentNullException.ThrowIfNull(hostNames);
        if (hostNames.Length is 0 or > 254)
            throw new ArgumentException($"A network lab needs 1 to 254 hosts, not {hostNames.Length}.", nameof(hostNames));
        foreach (var name in hostNames)
        {
            // The name becomes part of a file name under /run/netns, so it is kept to a safe alphabet.
            if (string.IsNullOrEmpty(name) || name.Length > 32 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                throw new ArgumentException($"Host name \"{name}\" must be 1 to 32 ASCII letters, digits, '-' or '_'.", nameof(hostNames));
        }
        if (hostNames.Distinct(StringComparer.Ordinal).Count() != hostNames.Length)
            throw new ArgumentException($"Host names must be distinct: {string.Join(", ", hostNames)}.", nameof(hostNames));
    }

    private void Build(string[] hostNames)
    {
        // A crash after the cleanup in Create could have left namespaces with this very number; the
        // number is ours now, so whatever carries it is dead.
        foreach (var netns in Ip.ListNamespaces().Where(netns => LabSlot.NumberOf(netns) == _slot.Number))
        {
            KillEverythingIn(netns);
            DeleteNamespace(netns);
        }

        var sw = SwitchNamespace;
        AddNamespace(sw);
        // STP is off by default, so ports forward as soon as they are up, with no listening delay.
        Ip.Run("-n", sw, "link", "add", Bridge, "type", "bridge");
        Ip.Run("-n", sw, "link", "set", Bridge, "up");

        for (var i = 0; i < hostNames.Length; i++)
        {
            var host = new LabHost(
                hostNames[i],
                $"{Prefix}-{hostNames[i]}",
                $"10.200.{_slot.Number}.{(i + 1).ToString(CultureInfo.InvariantCulture)}",
                $"port{i.ToString(CultureInfo.InvariantCulture)}");
            AddNamespace(host.Namespace);
            // The pair is made inside the switch namespace with its peer placed straight into the host's,
            // so neither end ever exists in the root namespace, where "eth0" is taken.
            Ip.Run("-n", sw, "link", "add", host.SwitchPort, "type", "veth", "peer", "name", host.Interface, "netns", host.Namespace);
            Ip.Run("-n", sw, "link", "set", host.SwitchPort, "master", Bridge, "up");
            Ip.Run("-n", host.Namespace, "link", "set", "lo", "up");
            // "brd +" derives 10.200.NNN.255 from the prefix, so directed broadcasts are recognised.
            Ip.Run("-n", host.Namespace, "addr", "add", $"{host.Address}/24", "brd", "+", "dev", host.Interface);
            Ip.Run("-n", host.Namespace, "link", "set", host.Interface, "up");
            Ip.Run("-n", host.Namespace, "route", "add", "default", "dev", host.Interface);
            _hosts.Add(host.Name, host);
            _hostOrder.Add(host);
        }
    }

    private void AddNamespace(string netns)
    {
        Ip.Run("netns", "add", netns);
        _namespaces.Add(netns);
    }

    private void SetPort(LabHost host, string state)
    {
        lock (_gate)
            ObjectDisposedException.ThrowIf(_disposed, this);
        Ip.Run("-n", SwitchNamespace, "link", "set", host.SwitchPort, state);
    }

    private static void KillEverythingIn(string netns)
    {
        var deadline = Stopwatch.StartNew();
        while (Ip.NamespacePids(netns) is { Count: > 0 } pids)
        {
            if (deadline.Elapsed > KillTimeout)
                throw new TimeoutException($"Processes {string.Join(", ", pids)} still run in {netns} {KillTimeout.TotalSeconds:0} s after SIGKILL.");
            foreach (var pid in pids)
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill();
                }
                catch (ArgumentException)
                {
                    // Exited between the listing and the kill.
                }
            }
            Thread.Sleep(10);
        }
    }

    private static void DeleteNamespace(string netns) => Ip.Run("netns", "delete", netns);
}
