using System.IO.Pipelines;

namespace FuncExec.Protocol.Tests.Support;

/// <summary>One end of an in-memory connection made of two <see cref="Pipe"/>s.</summary>
internal sealed record TestDuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe
{
    /// <summary>Two ends wired crosswise: what one writes, the other reads.</summary>
    public static (TestDuplexPipe Left, TestDuplexPipe Right) CreatePair()
    {
        var leftToRight = new Pipe();
        var rightToLeft = new Pipe();
        return (new TestDuplexPipe(rightToLeft.Reader, leftToRight.Writer), new TestDuplexPipe(leftToRight.Reader, rightToLeft.Writer));
    }
}
