using FuncExec.Protocol.V1;

namespace FuncExec.Scheduler.Tests;

/// <summary>Tasks as a client hands them in: the wire's own submitted task, which the scheduler keeps.</summary>
internal static class Specs
{
    public static SubmittedTaskSpec Of(
        string name, TaskAssignment? assignment = null, int cores = 1, int priority = 0, int retries = 0, int? node = null, int? worker = null, long tag = 0)
    {
        var spec = new SubmittedTaskSpec
        {
            Name = name,
            Assignment = assignment ?? new TaskAssignment { Method = new MethodCall { Name = "X.Y" } },
            Cores = cores,
            Priority = priority,
            Retries = retries,
            Tag = tag,
        };
        if (node is { } n)
        {
            spec.TargetNode = n;
        }

        if (worker is { } w)
        {
            spec.TargetWorker = w;
        }

        return spec;
    }
}
