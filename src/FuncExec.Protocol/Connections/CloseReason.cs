namespace FuncExec.Protocol.Connections;

/// <summary>Why a <see cref="FrameConnection"/> closed, as it was recorded: only the first cause counts.</summary>
/// <param name="Kind">The class of cause.</param>
/// <param name="Message">What happened, for logs and users.</param>
internal sealed record CloseReason(CloseReasonKind Kind, string Message);
