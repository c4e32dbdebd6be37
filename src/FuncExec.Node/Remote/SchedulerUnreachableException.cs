using FuncExec.Core.Errors;

namespace FuncExec.Node.Remote;

/// <summary>No scheduler answered at the address tried.</summary>
public sealed class SchedulerUnreachableException : FuncExecException
{
    /// <summary>Creates the exception.</summary>
    public SchedulerUnreachableException(SchedulerAddress address, string why, Exception? innerException = null)
        : base($"no scheduler answered at {address}: {why}; start one with 'funcexec scheduler', or check the address (--scheduler on the command line)", innerException)
    {
        Address = address;
    }

    /// <summary>The address tried.</summary>
    public SchedulerAddress Address { get; }
}
