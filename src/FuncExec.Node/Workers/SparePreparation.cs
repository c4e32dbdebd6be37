using FuncExec.Protocol.V1;

namespace FuncExec.Node.Workers;

/// <summary>
/// What the node's tasks load, per open computation: the assemblies their functions name and the lambda calls they
/// make, so the warm spare can load and bind them ahead of need (<see cref="PrepareComputation"/>). A spare that takes
/// a killed worker's place then runs the next task of that computation without first loading its assemblies into a
/// new load context and binding its lambda: the cost a fresh worker pays on its first task.
/// </summary>
/// <remarks>
/// Fed from <see cref="WorkerHandle.Assign"/>, the hot path: a task like the one before it (the usual case: many tasks
/// of one function) costs two reference comparisons and no lock. Bounded: at most <see cref="MaxCallsPerComputation"/>
/// calls per computation and <see cref="MaxComputations"/> computations are remembered; the rest are simply not
/// prepared.
/// </remarks>
internal sealed class SparePreparation
{
    internal const int MaxCallsPerComputation = FuncExec.Protocol.PreparationLimits.MaxCallsPerComputation;
    internal const int MaxComputations = FuncExec.Protocol.PreparationLimits.MaxComputations;

    private readonly Lock _lock = new();
    private readonly Dictionary<long, PrepareComputation> _computations = [];

    // The last task's function seen, so a run of one function's tasks is recognised without the lock.
    private volatile Seen? _last;

    /// <summary>
    /// Notes what <paramref name="task"/> loads. Returns what the spare should prepare when it is new to this node
    /// (one assembly or one lambda call more), or null.
    /// </summary>
    public PrepareComputation? Observe(TaskAssignment task)
    {
        if (task.Computation == 0)
        {
            return null;
        }

        LambdaMethodCall? lambda = null;
        ComponentRef? assembly;
        switch (task.FunctionCase)
        {
            case TaskAssignment.FunctionOneofCase.Lambda:
                lambda = task.Lambda;
                assembly = lambda.Assembly;
                break;
            case TaskAssignment.FunctionOneofCase.Method:
                assembly = task.Method.Assembly;
                break;
            default:
                return null;
        }

        if (assembly is null && lambda is null)
        {
            return null;
        }

        if (_last is { } last && last.Computation == task.Computation
            && (lambda is null ? last.Lambda is null && SameComponent(last.Assembly, assembly) : last.Lambda is not null && SameCall(last.Lambda, lambda)))
        {
            return null;
        }

        return Add(task.Computation, lambda, assembly);
    }

    // Apart from Observe, so the closures here cost only a call not seen just before.
    private PrepareComputation? Add(long computation, LambdaMethodCall? lambda, ComponentRef? assembly)
    {
        lock (_lock)
        {
            _last = new Seen(computation, lambda, assembly);
            if (!_computations.TryGetValue(computation, out var known))
            {
                if (_computations.Count >= MaxComputations)
                {
                    return null;
                }

                known = new PrepareComputation { Computation = computation };
                _computations.Add(computation, known);
            }

            var added = new PrepareComputation { Computation = computation };
            if (assembly is not null && !known.Components.Any(c => SameComponent(c, assembly))
                && known.Components.Count < MaxCallsPerComputation)
            {
                known.Components.Add(assembly);
                added.Components.Add(assembly);
            }

            if (lambda is not null && !known.Lambdas.Any(l => SameCall(l, lambda)) && known.Lambdas.Count < MaxCallsPerComputation)
            {
                known.Lambdas.Add(lambda);
                added.Lambdas.Add(lambda);
            }

            return added.Components.Count + added.Lambdas.Count > 0 ? added : null;
        }
    }

    /// <summary>Everything to prepare, for a spare that just connected.</summary>
    public List<PrepareComputation> All()
    {
        lock (_lock)
        {
            return [.. _computations.Values.Select(c => c.Clone())];
        }
    }

    /// <summary>The computation closed: nothing of it is prepared any more.</summary>
    public void Forget(long computation)
    {
        lock (_lock)
        {
            _computations.Remove(computation);
            _last = null;
        }
    }

    private static bool SameComponent(ComponentRef? a, ComponentRef? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null && a.Sha256 == b.Sha256 && a.FileName == b.FileName);

    private static bool SameCall(LambdaMethodCall a, LambdaMethodCall b) =>
        ReferenceEquals(a, b)
        || (a.MethodName == b.MethodName
            && SameComponent(a.Assembly, b.Assembly)
            && SameNames(a.ParameterTypes, b.ParameterTypes)
            && SameNames(a.GenericArguments, b.GenericArguments));

    private static bool SameNames(Google.Protobuf.Collections.RepeatedField<string> a, Google.Protobuf.Collections.RepeatedField<string> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!string.Equals(a[i], b[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private sealed record Seen(long Computation, LambdaMethodCall? Lambda, ComponentRef? Assembly);
}
