using System.Globalization;

namespace FuncExec.IntegrationTests.Network;

/// <summary>
/// One of 256 lab numbers, owned by holding an exclusive lock on <c>/run/funcexec-netlab/NNN.lock</c>.
/// The number names the lab's namespaces (<c>fxlab-NNN</c>, <c>fxlab-NNN-host</c>) and picks its
/// subnet (10.200.NNN.0/24).
/// </summary>
/// <remarks>
/// The lock, not the namespaces, says whether a lab is alive: .NET takes <c>flock(LOCK_EX)</c> for
/// <see cref="FileShare.None"/>, the kernel drops it when the owning process dies however it dies,
/// and the descriptor is close-on-exec so programs started in the lab never inherit it. So namespaces
/// whose number can be locked belong to a crashed run, and those whose number cannot belong to a live
/// lab, in this process or another, and are left alone. Lock files are never deleted: deleting one
/// while another process is between open and flock would let two labs own the same number, and 256
/// empty files in /run (a tmpfs, cleared at boot like /run/netns) cost nothing.
/// </remarks>
internal sealed class LabSlot : IDisposable
{
    public const int Count = 256;
    public const string NamespacePrefix = "fxlab-";
    private const string LockDirectory = "/run/funcexec-netlab";

    private readonly FileStream _lock;

    private LabSlot(int number, FileStream @lock)
    {
        Number = number;
        _lock = @lock;
    }

    public int Number { get; }

    /// <summary>The lab's prefix and the name of its switch namespace, e.g. <c>fxlab-007</c>.</summary>
    public string Prefix => PrefixOf(Number);

    public static string PrefixOf(int number) => NamespacePrefix + number.ToString("D3", CultureInfo.InvariantCulture);

    /// <summary>Takes the lowest free number, so lock files stay few and subnets predictable.</summary>
    public static LabSlot AcquireFree()
    {
        for (var number = 0; number < Count; number++)
        {
            if (TryAcquire(number) is { } slot)
                return slot;
        }
        throw new InvalidOperationException($"All {Count} network lab slots are held by live labs; dispose labs you no longer need.");
    }

    /// <summary>Locks a number, or returns null when a live lab holds it.</summary>
    public static LabSlot? TryAcquire(int number)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(number, Count);
        Directory.CreateDirectory(LockDirectory);
        var path = Path.Combine(LockDirectory, number.ToString("D3", CultureInfo.InvariantCulture) + ".lock");
        try
        {
            return new LabSlot(number, new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException) when (File.Exists(path))
        {
            // The sharing violation .NET reports when flock says EWOULDBLOCK: a live lab has it.
            return null;
        }
    }

    /// <summary>The lab number a namespace name belongs to, or null for names that are not a lab's.</summary>
    public static int? NumberOf(string netns)
    {
        ArgumentNullException.ThrowIfNull(netns);
        if (!netns.StartsWith(NamespacePrefix, StringComparison.Ordinal))
            return null;
        var rest = netns.AsSpan(NamespacePrefix.Length);
        if (rest.Length < 3 || (rest.Length > 3 && rest[3] != '-'))
            return null;
        return int.TryParse(rest[..3], NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number < Count
            ? number
            : null;
    }

    public void Dispose() => _lock.Dispose();
}
