namespace FuncExec.Reporting.Internal;

/// <summary>A profile CSV as read: its records by kind, each list in file order.</summary>
internal sealed record Profile(
    string Source,
    IReadOnlyList<ProfileTaskRow> Tasks,
    IReadOnlyList<ProfileSampleRow> Samples,
    IReadOnlyList<ProfileWorkerRow> Workers);
