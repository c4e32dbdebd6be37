namespace FuncExec.Core.Tests.Functions;

public sealed record SampleRect(double Width, double Height);
