using System.Runtime.CompilerServices;

namespace FuncExec.Tests.Processes;

/// <summary>
/// One state folder (<c>FUNCEXEC_HOME</c>) for everything a test assembly starts: schedulers in its process and in
/// child processes, inside network namespaces too, and the nodes and clients that pick up their generated secrets. The
/// user's own <c>~/.funcexec</c> is never touched.
/// </summary>
internal static class TestHome
{
    /// <summary>The folder: private to this user, as the scheduler wants it.</summary>
    public static string Folder { get; private set; } = "";

    /// <summary>A new folder for one test, inside <see cref="Folder"/>, so it goes when the tests end.</summary>
    public static string NewFolder(string prefix) => Directory.CreateDirectory(Path.Combine(Folder, prefix + Guid.NewGuid().ToString("N"))).FullName;

#pragma warning disable CA2255 // A test assembly: the variable must be set before any test starts a process.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Set()
    {
        Folder = Directory.CreateTempSubdirectory("funcexec-test-home-").FullName;
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
}
