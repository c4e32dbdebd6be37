using System.Reflection;

namespace FuncExec.Core.Functions.Internal;

/// <summary>The errors a failed resolution reports, each saying what was asked and what exists instead.</summary>
internal static class ResolutionErrors
{
    public static FunctionNotFoundException NotAFullName(string fullName) => new(
        fullName,
        $"'{fullName}' is not a method name; expected Namespace.Type.Method, e.g. System.Math.Max",
        []);

    public static FunctionNotFoundException TypeNotFound(string fullName, string typeName, Assembly? assembly)
    {
        var dot = typeName.LastIndexOf('.');
        var suggestions = dot > 0
            ? NameSuggester.Suggest(typeName[(dot + 1)..], SimpleNames(TypeLocator.TypesInNamespace(typeName[..dot], assembly)))
            : [];
        var prefixed = new string[suggestions.Count];
        for (var i = 0; i < prefixed.Length; i++)
        {
            prefixed[i] = typeName[..(dot + 1)] + suggestions[i];
        }

        var searched = assembly is null
            ? "the loaded assemblies and the framework"
            : $"{assembly.GetName().Name}, the loaded assemblies and the framework";
        return new FunctionNotFoundException(
            fullName,
            $"type '{typeName}' not found (searched {searched}){DidYouMean(prefixed)}",
            prefixed);
    }

    public static FunctionNotFoundException TypeNotPublic(string fullName, Type type) => new(
        fullName,
        $"type '{TypeNames.FullName(type)}' is not public; only public static methods of public types can be called",
        []);

    public static FunctionNotFoundException GenericType(string fullName, Type type) => new(
        fullName,
        $"type '{TypeNames.FullName(type)}' is generic; methods of generic types cannot be called",
        []);

    public static FunctionNotFoundException MethodNotFound(string fullName, Type type, string methodName)
    {
        var names = new List<string>();
        foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.FlattenHierarchy))
        {
            names.Add(method.Name);
        }

        var suggestions = NameSuggester.Suggest(methodName, names);
        var instance = type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Any(m => string.Equals(m.Name, methodName, StringComparison.Ordinal))
            ? $" ('{methodName}' is an instance method; only static methods can be called)"
            : string.Empty;
        return new FunctionNotFoundException(
            fullName,
            $"no public static method '{methodName}' on {TypeNames.FullName(type)}{instance}{DidYouMean(suggestions)}",
            suggestions);
    }

    public static ArgumentMismatchException NoOverload(string fullName, Type type, IReadOnlyList<MethodInfo> methods, IReadOnlyList<ArgShape> args)
    {
        var overloads = Signatures(type, methods);
        var message = $"no overload of {TypeNames.FullName(type)}.{methods[0].Name} takes the arguments {DescribeArguments(args)}; "
            + $"its public static overloads are:{Lines(overloads)}";
        return new ArgumentMismatchException(fullName, message, overloads);
    }

    public static ArgumentMismatchException Ambiguous(string fullName, Type type, IReadOnlyList<MethodInfo> methods, IReadOnlyList<ArgShape> args, List<OverloadCandidate> tied)
    {
        var tiedSignatures = new List<string>(tied.Count);
        foreach (var candidate in tied)
        {
            tiedSignatures.Add(TypeNames.Signature(type, candidate.Method));
        }

        var message = $"the arguments {DescribeArguments(args)} fit more than one overload of "
            + $"{TypeNames.FullName(type)}.{methods[0].Name} equally well; pass arguments of the exact types:{Lines(tiedSignatures)}";
        return new ArgumentMismatchException(fullName, message, Signatures(type, methods));
    }

    /// <summary>The arguments' JSON kinds in parentheses: <c>(integer, string)</c>.</summary>
    public static string DescribeArguments(IReadOnlyList<ArgShape> args)
    {
        var kinds = new string[args.Count];
        for (var i = 0; i < kinds.Length; i++)
        {
            kinds[i] = args[i].Describe();
        }

        return "(" + string.Join(", ", kinds) + ")";
    }

    private static string[] Signatures(Type type, IReadOnlyList<MethodInfo> methods)
    {
        var entries = new (int Count, string Signature)[methods.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = (methods[i].GetParameters().Length, TypeNames.Signature(type, methods[i]));
        }

        Array.Sort(entries, static (a, b) => a.Count != b.Count
            ? a.Count.CompareTo(b.Count)
            : string.CompareOrdinal(a.Signature, b.Signature));
        var signatures = new string[entries.Length];
        for (var i = 0; i < signatures.Length; i++)
        {
            signatures[i] = entries[i].Signature;
        }

        return signatures;
    }

    private static IEnumerable<string> SimpleNames(IEnumerable<string> fullNames)
    {
        foreach (var fullName in fullNames)
        {
            yield return fullName[(fullName.LastIndexOf('.') + 1)..];
        }
    }

    private static string DidYouMean(IReadOnlyList<string> suggestions) =>
        suggestions.Count == 0 ? string.Empty : "; did you mean " + string.Join(", ", suggestions) + "?";

    private static string Lines(IEnumerable<string> lines) => "\n  " + string.Join("\n  ", lines);
}
