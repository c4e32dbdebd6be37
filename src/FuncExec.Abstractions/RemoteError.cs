namespace FuncExec;

/// <summary>An exception raised where a task ran, as it crossed back to the client.</summary>
/// <param name="Type">Full name of the exception type.</param>
/// <param name="Message">Its message.</param>
/// <param name="StackTrace">Its stack trace where the task ran, if any.</param>
/// <param name="Retryable">False for errors a retry cannot mend (unknown function, bad arguments, compile errors).</param>
public sealed record RemoteError(string Type, string Message, string? StackTrace = null, bool Retryable = true)
{
    /// <summary>
    /// The exception's causes, each with its own causes: its <see cref="Exception.InnerException"/>, or every one of an
    /// <see cref="AggregateException"/>'s <see cref="AggregateException.InnerExceptions"/>.
    /// </summary>
    /// <remarks>
    /// Empty by default. Bounded where it is made and again wherever it arrives from another process: at most 8 levels
    /// and 16 causes in all, each type name cut at 1 K characters, message at 8 K and stack at 32 K.
    /// </remarks>
    public IReadOnlyList<RemoteError> Inner { get; init; } = [];

    /// <summary>Equal when every field is, causes compared one by one in order.</summary>
    public bool Equals(RemoteError? other) =>
        other is not null
        && Type == other.Type
        && Message == other.Message
        && StackTrace == other.StackTrace
        && Retryable == other.Retryable
        && Inner.SequenceEqual(other.Inner);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Type, Message, StackTrace, Retryable, Inner.Count);
}
