using FuncExec.Protocol.V1;

namespace FuncExec.Protocol.Components;

/// <summary>
/// The one check of a component reference from another process, made at every boundary (client to scheduler,
/// scheduler to node, node to worker) before the reference touches a path: its id is the SHA-256 of its main file,
/// 64 lowercase hexadecimal characters; its file name is a plain file name.
/// </summary>
internal static class ComponentIds
{
    /// <summary>The length of a component id: a SHA-256 in hexadecimal.</summary>
    public const int Length = 64;

    /// <summary>The longest file name a component may have (what Linux file systems allow).</summary>
    public const int MaxFileNameLength = 255;

    /// <summary>Whether <paramref name="id"/> is 64 lowercase hexadecimal characters.</summary>
    public static bool IsValid(string? id)
    {
        if (id is null || id.Length != Length)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Why <paramref name="component"/> cannot be used, naming the field at fault; null when it can.</summary>
    public static string? Problem(ComponentRef? component)
    {
        if (component is null)
        {
            return "a component reference is missing";
        }

        if (!IsValid(component.Sha256))
        {
            return $"component id '{Shorten(component.Sha256)}' is not a SHA-256: a component id is {Length} lowercase hexadecimal characters";
        }

        var name = component.FileName;
        if (string.IsNullOrEmpty(name) || name.Length > MaxFileNameLength || name is "." or ".."
            || name.AsSpan().IndexOfAny('/', '\\', '\0') >= 0)
        {
            return $"component file name '{Shorten(name)}' is not a plain file name (no '/', '\\', NUL, '.' or '..', at most {MaxFileNameLength} characters)";
        }

        return null;
    }

    /// <summary>Throws unless <paramref name="component"/> can be used.</summary>
    /// <exception cref="InvalidDataException">Its id or file name is not valid; the message says which and why.</exception>
    public static void Check(ComponentRef? component)
    {
        if (Problem(component) is { } problem)
        {
            throw new InvalidDataException(problem);
        }
    }

    /// <summary>A hostile value quoted in an error is cut short, so a log line stays a line.</summary>
    private static string Shorten(string? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        var printable = string.Concat(value.Take(80).Select(c => char.IsControl(c) ? '?' : c));
        return value.Length > 80 ? printable + "…" : printable;
    }
}
