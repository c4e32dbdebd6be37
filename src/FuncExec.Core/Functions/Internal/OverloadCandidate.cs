using System.Reflection;

namespace FuncExec.Core.Functions.Internal;

/// <summary>One overload that accepts the arguments, in normal or expanded (<c>params</c>) form, with the cost of each argument.</summary>
internal sealed class OverloadCandidate
{
    private OverloadCandidate(MethodInfo method, ParameterInfo[] parameters, ParameterInfo[] allParameters, bool expanded, bool isGeneric, bool usesDefaults, long[] costs)
    {
        Method = method;
        Parameters = parameters;
        AllParameters = allParameters;
        Expanded = expanded;
        IsGeneric = isGeneric;
        UsesDefaults = usesDefaults;
        Costs = costs;
    }

    /// <summary>The method, with its type arguments filled in when it was generic.</summary>
    public MethodInfo Method { get; }

    /// <summary>The parameters the arguments bind to: all but the injected ones (<see cref="InjectedParameters"/>).</summary>
    public ParameterInfo[] Parameters { get; }

    /// <summary>Every parameter of <see cref="Method"/>, injected ones included.</summary>
    public ParameterInfo[] AllParameters { get; }

    /// <summary>The <c>params</c> array takes the remaining arguments one by one.</summary>
    public bool Expanded { get; }

    public bool IsGeneric { get; }

    /// <summary>Some optional parameters take their default values.</summary>
    public bool UsesDefaults { get; }

    public long[] Costs { get; }

    /// <summary>The type argument <paramref name="index"/> converts to, in normal or expanded form.</summary>
    public static Type ParameterTypeAt(ParameterInfo[] parameters, int index, bool expanded) =>
        expanded && index >= parameters.Length - 1
            ? parameters[^1].ParameterType.GetElementType()!
            : parameters[index].ParameterType;

    public static bool HasParamArray(ParameterInfo[] parameters) =>
        parameters.Length > 0
        && parameters[^1].ParameterType.IsSZArray
        && parameters[^1].IsDefined(typeof(ParamArrayAttribute), inherit: false);

    /// <summary>Matches the method against the argument shapes, or returns null when it does not accept them.</summary>
    public static OverloadCandidate? TryMatch(MethodInfo method, IReadOnlyList<ArgShape> args, bool expanded)
    {
        var allParameters = method.GetParameters();
        if (!IsCallable(method, allParameters))
        {
            return null;
        }

        // A TaskContext or CancellationToken parameter is filled in by the worker, not by an argument.
        var parameters = InjectedParameters.DataParameters(allParameters);

        var count = args.Count;
        var usesDefaults = false;
        if (expanded)
        {
            if (!HasParamArray(parameters) || count < parameters.Length - 1)
            {
                return null;
            }
        }
        else
        {
            if (count > parameters.Length)
            {
                return null;
            }

            for (var i = count; i < parameters.Length; i++)
            {
                if (!parameters[i].IsOptional)
                {
                    return null;
                }
            }

            usesDefaults = count < parameters.Length;
        }

        var isGeneric = method.IsGenericMethodDefinition;
        if (isGeneric)
        {
            var constructed = GenericInference.TryConstruct(method, parameters, args, expanded);
            if (constructed is null || !IsSupportedReturn(constructed.ReturnType))
            {
                return null;
            }

            method = constructed;
            allParameters = constructed.GetParameters();
            parameters = InjectedParameters.DataParameters(allParameters);
        }

        var costs = new long[count];
        for (var i = 0; i < count; i++)
        {
            var cost = ConversionCost.Of(args[i], ParameterTypeAt(parameters, i, expanded));
            if (cost == ConversionCost.None)
            {
                return null;
            }

            costs[i] = cost;
        }

        return new OverloadCandidate(method, parameters, allParameters, expanded, isGeneric, usesDefaults, costs);
    }

    /// <summary>
    /// True when this candidate is better than <paramref name="other"/>: no argument fits worse and
    /// one fits better; or, all fitting equally, it is not generic, not expanded, needs no defaults,
    /// or is declared on a more derived type, in that order (C#'s tie-breakers).
    /// </summary>
    public bool IsBetterThan(OverloadCandidate other)
    {
        var better = false;
        var worse = false;
        for (var i = 0; i < Costs.Length; i++)
        {
            better |= Costs[i] < other.Costs[i];
            worse |= Costs[i] > other.Costs[i];
        }

        if (better || worse)
        {
            return better && !worse;
        }

        if (IsGeneric != other.IsGeneric)
        {
            return !IsGeneric;
        }

        if (Expanded != other.Expanded)
        {
            return !Expanded;
        }

        if (UsesDefaults != other.UsesDefaults)
        {
            return !UsesDefaults;
        }

        return Method.DeclaringType is { } declaring && other.Method.DeclaringType is { } otherDeclaring
            && declaring.IsSubclassOf(otherDeclaring);
    }

    private static bool IsCallable(MethodInfo method, ParameterInfo[] parameters)
    {
        if ((method.CallingConvention & CallingConventions.VarArgs) != 0 || !IsSupportedReturn(method.ReturnType))
        {
            return false;
        }

        // Arguments are passed boxed through object[], which cannot carry references, pointers or spans.
        foreach (var parameter in parameters)
        {
            var type = parameter.ParameterType;
            if (type.IsByRef || type.IsPointer || type.IsByRefLike || type.IsFunctionPointer)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsSupportedReturn(Type type) =>
        !type.IsByRef && !type.IsPointer && !type.IsByRefLike && !type.IsFunctionPointer;
}
