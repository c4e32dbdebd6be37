using System.Reflection;

namespace FuncExec.Core.Functions.Internal;

/// <summary>Picks the overload that fits the arguments best, as C# overload resolution would.</summary>
internal static class OverloadSelector
{
    /// <summary>Every overload that accepts the arguments; a <c>params</c> method is tried expanded only when its normal form does not fit, as in C#.</summary>
    public static List<OverloadCandidate> Applicable(IReadOnlyList<MethodInfo> methods, IReadOnlyList<ArgShape> args)
    {
        var candidates = new List<OverloadCandidate>();
        foreach (var method in methods)
        {
            var candidate = OverloadCandidate.TryMatch(method, args, expanded: false)
                ?? OverloadCandidate.TryMatch(method, args, expanded: true);
            if (candidate is not null)
            {
                candidates.Add(candidate);
            }
        }

        return candidates;
    }

    /// <summary>The candidate better than all others, or null when none is (the call is ambiguous).</summary>
    public static OverloadCandidate? Best(List<OverloadCandidate> candidates)
    {
        foreach (var candidate in candidates)
        {
            var best = true;
            foreach (var other in candidates)
            {
                if (!ReferenceEquals(candidate, other) && !candidate.IsBetterThan(other))
                {
                    best = false;
                    break;
                }
            }

            if (best)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The candidates no other candidate beats: the ones an ambiguity is between.</summary>
    public static List<OverloadCandidate> Unbeaten(List<OverloadCandidate> candidates)
    {
        var unbeaten = new List<OverloadCandidate>();
        foreach (var candidate in candidates)
        {
            var beaten = false;
            foreach (var other in candidates)
            {
                if (!ReferenceEquals(candidate, other) && other.IsBetterThan(candidate))
                {
                    beaten = true;
                    break;
                }
            }

            if (!beaten)
            {
                unbeaten.Add(candidate);
            }
        }

        return unbeaten;
    }
}
