namespace FuncExec.Reporting.Internal;

/// <summary>Tasks that finished in <c>[StartUs, StartUs + bin width)</c>.</summary>
internal readonly record struct ThroughputBin(long StartUs, int Finished);
