using System.Globalization;
using Microsoft.Data.Sqlite;

namespace FuncExec.TestJobs.SqliteLibrary;

/// <summary>A job of a class library that needs its package's assemblies and native library where it runs.</summary>
public static class LibraryJobs
{
    /// <summary>1² + 2² + ... + <paramref name="n"/>², stored in a table and summed by SQLite.</summary>
    public static long SumOfSquares(int n)
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var create = connection.CreateCommand();
        create.CommandText = "CREATE TABLE squares(value INTEGER)";
        create.ExecuteNonQuery();
        for (var i = 1; i <= n; i++)
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO squares VALUES ($value)";
            insert.Parameters.AddWithValue("$value", i * i);
            insert.ExecuteNonQuery();
        }

        using var sum = connection.CreateCommand();
        sum.CommandText = "SELECT total(value) FROM squares";
        return Convert.ToInt64(sum.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
