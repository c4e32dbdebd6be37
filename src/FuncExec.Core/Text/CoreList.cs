using System.Globalization;
using FuncExec.Core.Platform;

namespace FuncExec.Core.Text;

/// <summary>
/// Cores as people read them, one shape everywhere: which cores, <c>core 3</c> or <c>cores 0-3,6</c> (the kernel's
/// list syntax, as in <see cref="CpuAffinity.FormatList"/>); how many, <c>1 core</c> or <c>4 cores</c> (<see cref="Plural"/>).
/// Machine-read output (JSON) keeps its own shape.
/// </summary>
internal static class CoreList
{
    /// <summary>"core 3", "cores 0-3" or "cores 0-3,6"; "no cores" when empty.</summary>
    public static string Format(IEnumerable<int> cores)
    {
        ArgumentNullException.ThrowIfNull(cores);
        var distinct = cores.Distinct().ToList();
        return distinct.Count switch
        {
            0 => "no cores",
            1 => "core " + distinct[0].ToString(CultureInfo.InvariantCulture),
            _ => "cores " + CpuAffinity.FormatList(distinct),
        };
    }
}
