using FuncExec.Protocol.V1;

namespace FuncExec.Scheduler.Resources;

/// <summary>Names a function for duration estimates: tasks with one key take about as long. Made of the strings the
/// task's assignment already holds, so naming a task's function allocates nothing.</summary>
/// <param name="Kind">Which kind of function: <c>m</c> a method, <c>c</c> code, <c>x</c> a command, <c>l</c> a lambda.</param>
/// <param name="Name">The method's, type's, command's or lambda's name.</param>
/// <param name="Image">The SHA-256 of the assembly or image it comes from; empty when there is none.</param>
internal readonly record struct FunctionKey(char Kind, string Name, string Image)
{
    /// <summary>Its length as text (kind, name and image), which <see cref="DurationEstimates"/> bounds.</summary>
    public int Length => 1 + Name.Length + Image.Length;

    /// <summary>The key of the function <paramref name="assignment"/> calls.</summary>
    public static FunctionKey Of(TaskAssignment assignment) => assignment.FunctionCase switch
    {
        TaskAssignment.FunctionOneofCase.Method => new('m', assignment.Method.Name, assignment.Method.Assembly?.Sha256 ?? string.Empty),
        TaskAssignment.FunctionOneofCase.Code => new('c', assignment.Code.TypeName, assignment.Code.Image?.Sha256 ?? string.Empty),
        TaskAssignment.FunctionOneofCase.Command => new('x', assignment.Command.File, string.Empty),
        TaskAssignment.FunctionOneofCase.Lambda => new('l', assignment.Lambda.MethodName, assignment.Lambda.Assembly?.Sha256 ?? string.Empty),
        _ => new('-', string.Empty, string.Empty),
    };

    public bool Equals(FunctionKey other) =>
        Kind == other.Kind && string.Equals(Name, other.Name, StringComparison.Ordinal) && string.Equals(Image, other.Image, StringComparison.Ordinal);

    // Tasks of one function hash alike whichever message their strings came in; an image's first characters (hex of a
    // hash) tell images apart as well as all of them.
    public override int GetHashCode() =>
        HashCode.Combine(Kind, string.GetHashCode(Name, StringComparison.Ordinal), string.GetHashCode(Image.AsSpan(0, Math.Min(Image.Length, 16)), StringComparison.Ordinal));
}
