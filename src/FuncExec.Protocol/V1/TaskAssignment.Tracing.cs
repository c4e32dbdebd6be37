namespace FuncExec.Protocol.V1;

internal sealed partial class TaskAssignment
{
    /// <summary>The longest task name a span carries (<see cref="TaskName"/> is a peer's; it is cut here).</summary>
    public const int MaxTracedNameLength = 256;

    /// <summary>What the task calls, for spans: the method's or lambda's name, the code's type, the command's file.</summary>
    public string FunctionName => FunctionCase switch
    {
        FunctionOneofCase.Method => Method.Name,
        FunctionOneofCase.Code => Code.TypeName,
        FunctionOneofCase.Lambda => Lambda.MethodName,
        FunctionOneofCase.Command => Command.File,
        _ => string.Empty,
    };
}
