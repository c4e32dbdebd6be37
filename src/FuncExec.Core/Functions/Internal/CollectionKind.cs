namespace FuncExec.Core.Functions.Internal;

/// <summary>The collection parameter types a JSON array converts to, most specific first.</summary>
internal enum CollectionKind
{
    Array,
    List,
    ReadOnlyList,
    IList,
    ReadOnlyCollection,
    Collection,
    Enumerable,
}
