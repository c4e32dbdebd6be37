using System.Reflection;
using FuncExec.Core.Functions.Lambdas;
using FuncExec.Protocol.V1;

namespace FuncExec.Worker;

/// <summary>Lambda calls bound and compiled once per method and parameter types. Used by the executing thread only.</summary>
internal sealed class LambdaCache
{
    private readonly Dictionary<LambdaKey, BoundLambda> _bound = [];

    /// <summary>The bound method of <paramref name="call"/>; its assembly is loaded by <paramref name="load"/> on a miss.</summary>
    public BoundLambda Get(LambdaMethodCall call, Func<ComponentRef, Assembly> load)
    {
        var key = new LambdaKey(call);
        if (_bound.TryGetValue(key, out var bound))
        {
            return bound;
        }

        var assembly = call.Assembly is { } component ? load(component) : null;
        bound = BoundLambda.Create(LambdaBinder.Bind(call.MethodName, call.ParameterTypes, call.GenericArguments, assembly));
        _bound.Add(key, bound);
        return bound;
    }
}
