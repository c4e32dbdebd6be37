using System.Globalization;
using System.Text;

namespace FuncExec.Reporting;

/// <summary>Writes a <see cref="BenchMatrix"/> as CSV: the header
/// <c>workers,clients,tasks,seconds,tasks_per_second</c>, then one row per cell in the order the cells ran.</summary>
/// <remarks>UTF-8 without a byte order mark, <c>\n</c> line ends; seconds to the microsecond, throughput to a tenth.</remarks>
internal static class BenchCsv
{
    /// <summary>The header line.</summary>
    public const string Header = "workers,clients,tasks,seconds,tasks_per_second";

    /// <summary>Writes the file to <paramref name="path"/>, replacing a file there.</summary>
    public static async Task WriteAsync(BenchMatrix matrix, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var csv = new StringWriter(CultureInfo.InvariantCulture);
        Write(matrix, csv);
        await File.WriteAllTextAsync(path, csv.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Writes the rows to <paramref name="writer"/>.</summary>
    public static void Write(BenchMatrix matrix, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Header);
        writer.Write('\n');
        foreach (var cell in matrix.Cells)
        {
            writer.Write(string.Create(
                CultureInfo.InvariantCulture,
                $"{cell.Workers},{cell.Clients},{cell.Tasks},{cell.Seconds:0.000000},{cell.TasksPerSecond:0.0}\n"));
        }
    }
}
