using FuncExec.Tests.Files;

namespace FuncExec.Cli.Tests.Support;

/// <summary>Writing files into a test's <see cref="TemporaryDirectory"/>.</summary>
internal static class TemporaryDirectoryFiles
{
    /// <summary>Writes a file (making its folders) and returns its full path.</summary>
    public static string Write(this TemporaryDirectory directory, string name, string text)
    {
        var path = Path.Combine(directory.Path, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Writes an executable file (a script) and returns its full path.</summary>
    public static string WriteExecutable(this TemporaryDirectory directory, string name, string text)
    {
        var path = directory.Write(name, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
