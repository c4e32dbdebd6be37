
namespace FuncExec.Worker;

/// <summary>A command task names an executable that does not exist or cannot be run.</summary>
internal sealed class CommandNotFoundException : FuncExecException
{
    public CommandNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
