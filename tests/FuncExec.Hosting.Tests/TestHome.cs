using System.Runtime.CompilerServices;

namespace FuncExec.Hosting.Tests;

/// <summary>One state folder (<c>FUNCEXEC_HOME</c>) for the schedulers these tests start, in this process and in child
/// processes, and for the nodes and clients that find their generated secrets; the user's own is never touched.</summary>
internal static class TestHome
{
    public static string Folder { get; private set; } = "";

#pragma warning disable CA2255 // A test assembly: the variable must be set before any test starts a process.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Set()
    {
        Folder = Directory.CreateTempSubdirectory("funcexec-hosting-test-home-").FullName;
        Environment.SetEnvironmentVariable("FUNCEXEC_HOME", Folder);
    }
}
