namespace FuncExec.Core.Functions.Internal;

/// <summary>The kind of a JSON argument, as overload resolution sees it.</summary>
internal enum ShapeKind
{
    /// <summary>The element shape of an empty array: fits any element type.</summary>
    Empty,
    Null,
    Bool,
    Number,
    String,
    Object,
    Array,

    /// <summary>The element shape of an array whose items are of different kinds.</summary>
    Mixed,
}
