namespace FuncExec.Core.Functions.Internal;

/// <summary>The numeric parameter types a JSON number fits without loss of range.</summary>
[Flags]
internal enum NumericTargets
{
    None = 0,
    SByte = 1 << 0,
    Byte = 1 << 1,
    Int16 = 1 << 2,
    UInt16 = 1 << 3,
    Int32 = 1 << 4,
    UInt32 = 1 << 5,
    Int64 = 1 << 6,
    UInt64 = 1 << 7,
    Single = 1 << 8,
    Double = 1 << 9,
    Decimal = 1 << 10,
    All = (1 << 11) - 1,
}
