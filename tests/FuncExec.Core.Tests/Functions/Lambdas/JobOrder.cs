namespace FuncExec.Core.Tests.Functions.Lambdas;

public sealed record JobOrder(string Customer, int Quantity, JobPriority Priority);
