namespace FuncExec;

/// <summary>A message a running task received, with who sent it.</summary>
/// <typeparam name="T">The type the message's JSON was read as.</typeparam>
/// <param name="From">The task that sent it, or 0 when the client that submitted the task sent it.</param>
/// <param name="Value">The message.</param>
public sealed record TaskMessage<T>(long From, T Value);
