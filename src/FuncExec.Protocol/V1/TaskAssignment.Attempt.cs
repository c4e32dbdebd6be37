namespace FuncExec.Protocol.V1;

internal sealed partial class TaskAssignment
{
    /// <summary>A copy of this attempt's fields for a message that is serialized later (a node's assignment), sharing
    /// the function and the arguments with this assignment.</summary>
    /// <remarks>
    /// <para>The scheduler changes an assignment between attempts (<see cref="Attempt"/>, <see cref="Cores"/>, the trace
    /// fields, <see cref="TaskName"/>), so what it posts must not change under the connection's writer; the function
    /// (<see cref="Method"/>, <see cref="Code"/>, <see cref="Command"/>, <see cref="Lambda"/>) and
    /// <see cref="ArgsJson"/> are never changed once submitted, and are shared rather than cloned, as
    /// <see cref="Clone"/> would on every task.</para>
    /// <para>Fields the sender's schema did not know are not copied: a node is sent only what this build knows.
    /// A field added to the message must be copied here (a test checks every field).</para>
    /// </remarks>
    public TaskAssignment CopyForAttempt()
    {
        var copy = new TaskAssignment
        {
            TaskId = TaskId,
            Attempt = Attempt,
            ArgsJson = ArgsJson,
            TimeoutMs = TimeoutMs,
            Computation = Computation,
            MapChunk = MapChunk,
            TraceParent = TraceParent,
            TraceState = TraceState,
            TaskName = TaskName,
        };
        switch (FunctionCase)
        {
            case FunctionOneofCase.Method:
                copy.Method = Method;
                break;
            case FunctionOneofCase.Code:
                copy.Code = Code;
                break;
            case FunctionOneofCase.Command:
                copy.Command = Command;
                break;
            case FunctionOneofCase.Lambda:
                copy.Lambda = Lambda;
                break;
        }

        copy.Cores.Capacity = Cores.Count;
        copy.Cores.AddRange(Cores);
        return copy;
    }
}
