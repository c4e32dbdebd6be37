namespace FuncExec.TaskFiles;

/// <summary>What a scalar means under the YAML 1.2 core schema.</summary>
internal enum TaskFileScalarKind
{
    /// <summary><c>null</c>, <c>~</c> or nothing at all.</summary>
    Null,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary>Decimal, <c>0o</c> octal or <c>0x</c> hexadecimal digits.</summary>
    Integer,

    /// <summary>A decimal with a point or an exponent, or <c>.inf</c>/<c>.nan</c>.</summary>
    Float,

    /// <summary>Anything else, and every quoted or block scalar.</summary>
    String,
}
