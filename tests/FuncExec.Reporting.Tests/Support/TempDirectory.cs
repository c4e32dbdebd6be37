namespace FuncExec.Reporting.Tests.Support;

/// <summary>A directory of its own for one test, deleted with everything in it at the end.</summary>
internal sealed class TempDirectory : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("funcexec-report-");

    public string File(string name) => Path.Combine(_directory.FullName, name);

    public void Dispose() => _directory.Delete(recursive: true);
}
