namespace FuncExec.Core.Functions.Internal;

/// <summary>Recognizes the collection types a JSON array can become: <c>T[]</c>, <c>List&lt;T&gt;</c> and its read-only and enumerable interfaces.</summary>
internal static class CollectionTypes
{
    public static bool TryGetElementType(Type type, out Type elementType, out CollectionKind kind)
    {
        if (type.IsSZArray)
        {
            elementType = type.GetElementType()!;
            kind = CollectionKind.Array;
            return true;
        }

        elementType = typeof(object);
        kind = default;
        if (!type.IsGenericType)
        {
            return false;
        }

        var definition = type.GetGenericTypeDefinition();
        if (definition == typeof(List<>))
        {
            kind = CollectionKind.List;
        }
        else if (definition == typeof(IReadOnlyList<>))
        {
            kind = CollectionKind.ReadOnlyList;
        }
        else if (definition == typeof(IList<>))
        {
            kind = CollectionKind.IList;
        }
        else if (definition == typeof(IReadOnlyCollection<>))
        {
            kind = CollectionKind.ReadOnlyCollection;
        }
        else if (definition == typeof(ICollection<>))
        {
            kind = CollectionKind.Collection;
        }
        else if (definition == typeof(IEnumerable<>))
        {
            kind = CollectionKind.Enumerable;
        }
        else
        {
            return false;
        }

        elementType = type.GetGenericArguments()[0];
        return true;
    }

    /// <summary>True when the method receives a mutable list rather than an array.</summary>
    public static bool WantsList(CollectionKind kind) => kind is CollectionKind.List or CollectionKind.IList or CollectionKind.Collection;
}
