using System.Text;

namespace FuncExec;

/// <summary>
/// An exception raised where a task ran, rebuilt on this side from its <see cref="RemoteError"/> so that it reads like a
/// local one: <see cref="TaskFailedException"/>'s <see cref="Exception.InnerException"/>, with the remote causes below it.
/// </summary>
/// <remarks>
/// It is never thrown. <see cref="StackTrace"/> is the remote stack; <see cref="Exception.InnerException"/> is the first
/// remote cause and <see cref="InnerExceptions"/> all of them (an <see cref="AggregateException"/>'s list), each
/// a <see cref="RemoteException"/> in turn. <see cref="ToString"/> prints the chain in .NET's own <c> ---&gt; </c> format.
/// </remarks>
public sealed class RemoteException : FuncExecException
{
    /// <summary>Creates the exception for <paramref name="error"/>, whose chain is cut to <see cref="RemoteErrorBounds"/> first.</summary>
    public RemoteException(RemoteError error)
        : this(RemoteErrorBounds.Bound(error ?? throw new ArgumentNullException(nameof(error))), Causes(error))
    {
    }

    private RemoteException(RemoteError error, IReadOnlyList<RemoteException> causes)
        : base(error.Message, causes.Count > 0 ? causes[0] : null)
    {
        Error = error;
        InnerExceptions = causes;
    }

    /// <summary>The error as it crossed the wire, with its causes.</summary>
    public RemoteError Error { get; }

    /// <summary>The full name of the remote exception's type.</summary>
    public string RemoteType => Error.Type;

    /// <summary>The remote causes: one for a plain inner exception, all of an aggregate's; empty when there were none.</summary>
    public IReadOnlyList<RemoteException> InnerExceptions { get; }

    /// <summary>The stack trace where the exception was raised.</summary>
    public override string? StackTrace => Error.StackTrace;

    /// <summary>The remote type, message, first cause, stack and further causes, as .NET prints an exception.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Error.Type).Append(": ").Append(Error.Message);
        if (InnerExceptions.Count > 0)
        {
            text.AppendLine().Append(" ---> ").Append(InnerExceptions[0]).AppendLine().Append("   --- End of inner exception stack trace ---");
        }

        if (!string.IsNullOrEmpty(Error.StackTrace))
        {
            text.AppendLine().Append(Error.StackTrace);
        }

        // As AggregateException prints its list: the first cause above, the others after the stack.
        for (var i = 1; i < InnerExceptions.Count; i++)
        {
            text.AppendLine().Append(" ---> (Inner Exception #").Append(i).Append(") ").Append(InnerExceptions[i]).Append("<---");
        }

        return text.ToString();
    }

    private static RemoteException[] Causes(RemoteError error) =>
        [.. RemoteErrorBounds.Bound(error).Inner.Select(static cause => new RemoteException(cause, Causes(cause)))];
}
