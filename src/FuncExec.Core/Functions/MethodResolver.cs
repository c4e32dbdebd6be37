using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using FuncExec.Core.Functions.Internal;

namespace FuncExec.Core.Functions;

/// <summary>
/// Finds the public static method a task names and the overload its JSON arguments fit, as C#
/// overload resolution would choose it.
/// </summary>
/// <remarks>
/// <para>The type of <c>Namespace.Type.Method</c> (nested types joined by <c>+</c> or <c>.</c>) is
/// searched in the given assembly, then in the loaded assemblies and the framework, where an
/// assembly is loaded only when its name is a prefix of the type's namespace
/// (<c>System.Linq.Enumerable</c> is found in <c>System.Linq</c>). Generic types are not supported.</para>
/// <para>A JSON integer fits the integer types it is in range of, then <c>double</c>, <c>float</c> and
/// <c>decimal</c>, preferring <c>int</c>, then <c>long</c>; a number with a fraction or exponent fits
/// <c>double</c>, <c>float</c> and <c>decimal</c>, preferring <c>double</c>; a string fits
/// <c>string</c>, <c>char</c> (one character), enums (by name), <see cref="Guid"/> and the date and
/// time types; <c>true</c> and <c>false</c> fit <c>bool</c>; <c>null</c> fits reference and nullable
/// types; an array fits <c>T[]</c>, <c>List&lt;T&gt;</c> and its interfaces when every item fits
/// <c>T</c>; an object fits classes, records, structs and dictionaries. Optional parameters may be
/// omitted and a <c>params</c> array takes the remaining arguments. A generic method's type
/// arguments are inferred from the arguments, and a non-generic overload wins a tie.</para>
/// <para>Which string-parsed type a string fits (an enum name, a <see cref="Guid"/>, a date) is not
/// checked until the call: <see cref="BoundMethod.Invoke(IReadOnlyList{JsonElement}, TaskContext?)"/> reports a string that does not parse.</para>
/// <para>Resolutions are cached by assembly, name and the shape of the arguments (their JSON kinds,
/// numeric ranges and array item shapes), so repeated calls resolve once; a cache hit with scalar
/// arguments allocates nothing, and shapes that pick the same overload share one
/// <see cref="BoundMethod"/>. Instances are safe to use from many threads.</para>
/// </remarks>
internal sealed class MethodResolver
{
    private const int StackKeyLength = 256;

    private readonly ResolutionCache _withoutAssembly = new();
    private readonly ConcurrentDictionary<Assembly, ResolutionCache> _byAssembly = new();
    private readonly TypeLocator _types = new();

    // Argument shapes that differ only in numeric range (1 and -1) resolve to the same overload;
    // sharing its BoundMethod compiles each overload's call once.
    private readonly ConcurrentDictionary<(string FullName, MethodInfo Method, bool Expanded, int Count), BoundMethod> _bound = new();

    /// <summary>The number of resolutions cached, for tests and diagnostics.</summary>
    internal int CachedCount
    {
        get
        {
            var count = _withoutAssembly.Count;
            foreach (var cache in _byAssembly.Values)
            {
                count += cache.Count;
            }

            return count;
        }
    }

    /// <summary>Resolves <paramref name="fullName"/> for arguments shaped like <paramref name="args"/>.</summary>
    /// <param name="fullName">The method's full name, e.g. <c>System.Math.Max</c>.</param>
    /// <param name="args">The call's arguments; their shapes choose the overload.</param>
    /// <param name="assembly">An assembly to search before the loaded ones and the framework.</param>
    /// <returns>The method, bound to the overload the arguments fit best.</returns>
    /// <exception cref="FunctionNotFoundException">No such type, or no public static method of that name on it; the message suggests close names.</exception>
    /// <exception cref="ArgumentMismatchException">No overload takes the arguments, or several fit equally well; the message lists the overloads.</exception>
    public BoundMethod Resolve(string fullName, IReadOnlyList<JsonElement> args, Assembly? assembly = null)
    {
        ArgumentNullException.ThrowIfNull(fullName);
        ArgumentNullException.ThrowIfNull(args);
        var cache = assembly is null ? _withoutAssembly : _byAssembly.GetOrAdd(assembly, static _ => new ResolutionCache());
        var key = new KeyWriter(stackalloc char[StackKeyLength]);
        try
        {
            key.Append(fullName);
            key.Append('(');
            for (var i = 0; i < args.Count; i++)
            {
                if (i > 0)
                {
                    key.Append(',');
                }

                ArgShape.Of(args[i]).AppendKey(ref key);
            }

            key.Append(')');
            if (cache.TryGet(key.Written, out var method))
            {
                return method;
            }

            // Two threads may resolve the same key at once; both results are equal and the first is kept.
            return cache.GetOrAdd(key.Written, ResolveUncached(fullName, args, assembly));
        }
        finally
        {
            key.Dispose();
        }
    }

    private BoundMethod ResolveUncached(string fullName, IReadOnlyList<JsonElement> args, Assembly? assembly)
    {
        var dot = fullName.LastIndexOf('.');
        if (dot <= 0 || !IsValidName(fullName))
        {
            throw ResolutionErrors.NotAFullName(fullName);
        }

        var typeName = fullName[..dot];
        var methodName = fullName[(dot + 1)..];
        var type = _types.Find(typeName, assembly) ?? throw ResolutionErrors.TypeNotFound(fullName, typeName, assembly);
        if (!type.IsVisible)
        {
            throw ResolutionErrors.TypeNotPublic(fullName, type);
        }

        if (type.ContainsGenericParameters)
        {
            throw ResolutionErrors.GenericType(fullName, type);
        }

        var methods = new List<MethodInfo>();
        foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.FlattenHierarchy))
        {
            if (string.Equals(method.Name, methodName, StringComparison.Ordinal))
            {
                methods.Add(method);
            }
        }

        if (methods.Count == 0)
        {
            throw ResolutionErrors.MethodNotFound(fullName, type, methodName);
        }

        var shapes = new ArgShape[args.Count];
        for (var i = 0; i < shapes.Length; i++)
        {
            shapes[i] = ArgShape.Of(args[i]);
        }

        var candidates = OverloadSelector.Applicable(methods, shapes);
        if (candidates.Count == 0)
        {
            throw ResolutionErrors.NoOverload(fullName, type, methods, shapes);
        }

        var best = OverloadSelector.Best(candidates)
            ?? throw ResolutionErrors.Ambiguous(fullName, type, methods, shapes, OverloadSelector.Unbeaten(candidates));
        return _bound.GetOrAdd(
            (fullName, best.Method, best.Expanded, args.Count),
            static (_, state) => new BoundMethod(state.Type, state.Best, state.Count, state.FullName),
            (Type: type, Best: best, Count: args.Count, FullName: fullName));
    }

    private static bool IsValidName(string fullName)
    {
        var segmentStart = true;
        foreach (var c in fullName)
        {
            if (c is '.' or '+')
            {
                if (segmentStart)
                {
                    return false;
                }

                segmentStart = true;
            }
            else if (char.IsLetterOrDigit(c) || c is '_' or '`')
            {
                segmentStart = false;
            }
            else
            {
                return false;
            }
        }

        return !segmentStart;
    }
}
