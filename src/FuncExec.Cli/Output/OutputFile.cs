namespace FuncExec.Cli.Output;

/// <summary>Checks a file an option names for writing (<c>--output</c>, <c>--profile</c>, <c>--csv</c>) before anything
/// runs, so a path that cannot be written is one clean error (exit 2), not an exception after the work.</summary>
internal static class OutputFile
{
    /// <summary>Why <paramref name="file"/> cannot be written, naming <paramref name="option"/> and the path; null when it can
    /// be tried (or no file was given).</summary>
    public static string? Problem(string option, FileInfo? file)
    {
        if (file is null)
        {
            return null;
        }

        if (Directory.Exists(file.FullName))
        {
            return $"{option} {file.FullName} is a folder; give the path of a file in it";
        }

        return file.Directory is { Exists: false } folder
            ? $"{option} {file.FullName}: the folder {folder.FullName} does not exist; create it or give another path"
            : null;
    }

    /// <summary>Writes the problem of the first of <paramref name="files"/> that has one, as <c>verb: problem</c>, to
    /// standard error.</summary>
    /// <returns>False when one had a problem.</returns>
    public static bool CheckAll(string verb, params (string Option, FileInfo? File)[] files)
    {
        foreach (var (option, file) in files)
        {
            if (Problem(option, file) is { } problem)
            {
                Console.Error.WriteLine($"{verb}: {problem}");
                return false;
            }
        }

        return true;
    }

    /// <summary>Opens <paramref name="file"/> for writing, or says why it cannot be on standard error (a folder that went
    /// away, no permission, a full disk) and gives null.</summary>
    public static FileStream? TryCreate(string verb, string option, FileInfo file)
    {
        try
        {
            return new FileStream(file.FullName, FileMode.Create, FileAccess.Write, FileShare.Read);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"{verb}: {option} {file.FullName} cannot be written: {ex.Message}");
            return null;
        }
    }
}
