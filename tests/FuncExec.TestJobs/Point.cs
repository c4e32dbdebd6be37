namespace FuncExec.TestJobs;

public sealed record Point(int X, int Y);
