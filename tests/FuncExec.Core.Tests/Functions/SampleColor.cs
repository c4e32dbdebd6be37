namespace FuncExec.Core.Tests.Functions;

public enum SampleColor
{
    Red,
    Green,
    Blue,
}
