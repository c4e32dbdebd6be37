namespace FuncExec.Protocol.Framing;

/// <summary>A peer announced a frame larger than the cap; the connection must be closed.</summary>
internal sealed class FrameTooLargeException : IOException
{
    /// <summary>Creates the exception.</summary>
    public FrameTooLargeException(long length, int maxFrameSize)
        : base($"frame of {length} bytes exceeds the cap of {maxFrameSize} bytes")
    {
        Length = length;
        MaxFrameSize = maxFrameSize;
    }

    /// <summary>The announced length.</summary>
    public long Length { get; }

    /// <summary>The cap it broke.</summary>
    public int MaxFrameSize { get; }
}
