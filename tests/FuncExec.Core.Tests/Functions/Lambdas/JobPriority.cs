namespace FuncExec.Core.Tests.Functions.Lambdas;

public enum JobPriority
{
    Low,
    Normal,
    Urgent,
}
