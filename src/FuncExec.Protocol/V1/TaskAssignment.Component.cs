namespace FuncExec.Protocol.V1;

internal sealed partial class TaskAssignment
{
    /// <summary>The component the worker needs to run this task (the method's or lambda's assembly,
    /// or the compiled code), or null when it needs none (framework methods, commands).</summary>
    public ComponentRef? NeededComponent => FunctionCase switch
    {
        FunctionOneofCase.Method => Method.Assembly,
        FunctionOneofCase.Code => Code.Image,
        FunctionOneofCase.Lambda => Lambda.Assembly,
        _ => null,
    };
}
