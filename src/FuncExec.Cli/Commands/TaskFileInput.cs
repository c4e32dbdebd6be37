using FuncExec.Core.Tasks;
using FuncExec.TaskFiles;

namespace FuncExec.Cli.Commands;

/// <summary>The task file a verb was given.</summary>
internal static class TaskFileInput
{
    /// <summary>The file's tasks, or null after printing what is wrong with it (the verb then exits with 2).</summary>
    public static async Task<IReadOnlyList<TaskSpec>?> ReadAsync(FileInfo file)
    {
        try
        {
            return TaskFileReader.Read(file.FullName);
        }
        catch (TaskFileException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>The file, checked whole and ready to be read one task at a time, or null after printing what is
    /// wrong with it (the verb then exits with 2).</summary>
    public static async Task<TaskFile?> OpenAsync(FileInfo file)
    {
        try
        {
            return TaskFile.Open(file.FullName);
        }
        catch (TaskFileException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return null;
        }
    }
}
