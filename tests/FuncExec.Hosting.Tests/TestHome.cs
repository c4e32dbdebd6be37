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
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
                // A process of a test still writes there; the temp folder is the system's to clean.
            }
        };
    }

    /// <summary>A new folder for one test, inside <see cref="Folder"/>, so it goes when the tests end.</summary>
    public static string NewFolder(string prefix) => Directory.CreateDirectory(Path.Combine(Folder, prefix + Guid.NewGuid().ToString("N"))).FullName;
}
