using System.Globalization;
using System.Runtime.Loader;
using Microsoft.Data.Sqlite;

namespace FuncExec.TestJobs.Sqlite;

/// <summary>Jobs that open an in-memory SQLite database: they run only where the native library and the bundle's provider load.</summary>
public static class SqliteJobs
{
    /// <summary>1 + 2 + ... + <paramref name="n"/>, counted by SQLite with a recursive query.</summary>
    public static long Sum(int n)
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < $n) SELECT sum(x) FROM r";
        command.Parameters.AddWithValue("$n", n);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>The load context of Microsoft.Data.Sqlite where the job runs, and whether it is collectible.</summary>
    public static string LoadContext()
    {
        var context = AssemblyLoadContext.GetLoadContext(typeof(SqliteConnection).Assembly)!;
        return $"{context.Name}|{context.IsCollectible}";
    }
}
