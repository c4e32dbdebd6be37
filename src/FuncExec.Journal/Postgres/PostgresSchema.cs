using System.Globalization;
using FuncExec.Scheduler.Journal;
using Npgsql;

namespace FuncExec.Journal.Postgres;

/// <summary>
/// The journal's tables in PostgreSQL: the same tables and columns as the SQLite journal, with BIGINT for integers
/// and times (microseconds since the Unix epoch), BYTEA for protobuf encodings, TEXT for names and tokens.
/// </summary>
/// <remarks>
/// <c>meta</c> holds <c>schema</c> (the version below), <c>created</c> and <c>next_task_id</c>, the high-water mark
/// of task ids: rows are purged, ids must never be reused. Only the lease holder creates or moves tables, so two
/// schedulers starting together on an empty database do not race.
/// </remarks>
internal static class PostgresSchema
{
    /// <summary>The schema version this build reads and writes.</summary>
    public const string Version = "1";

    private static readonly string[] Tables = ["meta", "clients", "computations", "tasks"];

    private const string Create = """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE clients(token TEXT PRIMARY KEY, name TEXT, seen_us BIGINT, gone_us BIGINT NULL);
        CREATE TABLE computations(id BIGINT PRIMARY KEY, owner TEXT, name TEXT, exclusive BIGINT, components BYTEA, closed_us BIGINT NULL);
        CREATE TABLE tasks(id BIGINT PRIMARY KEY, owner TEXT, computation BIGINT, tag BIGINT, spec BYTEA NULL,
                           attempts BIGINT, submitted_us BIGINT, report BYTEA NULL, finished_us BIGINT NULL, acked BIGINT);
        """;

    /// <summary>Refuses a journal of another schema version (unless <paramref name="fresh"/>), without changing anything:
    /// what a standby checks before it waits, so a mismatch is found at start rather than at takeover.</summary>
    /// <exception cref="JournalException">Another version, or FuncExec's tables without their version.</exception>
    public static async Task CheckAsync(NpgsqlConnection connection, string description, bool fresh, CancellationToken cancellationToken)
    {
        var (present, version) = await ReadAsync(connection, cancellationToken).ConfigureAwait(false);
        if (!fresh && present.Count > 0 && (version != Version || present.Count != Tables.Length))
        {
            throw Mismatch(description, present, version);
        }
    }

    /// <summary>Creates the tables when there are none; with <paramref name="fresh"/>, moves tables of another version
    /// aside (renamed <c>TABLE_aside_TIME</c>) and creates new ones. Run by the lease holder only.</summary>
    /// <exception cref="JournalException">Another version without <paramref name="fresh"/>.</exception>
    public static async Task EnsureAsync(NpgsqlConnection connection, string description, bool fresh, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (present, version) = await ReadAsync(connection, cancellationToken).ConfigureAwait(false);
        if (present.Count == Tables.Length && version == Version)
        {
            return;
        }

        if (present.Count > 0 && !fresh)
        {
            throw Mismatch(description, present, version);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var suffix = now.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        foreach (var table in present)
        {
            await ExecuteAsync(connection, $"ALTER TABLE {table} RENAME TO {table}_aside_{suffix}", cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, Create, cancellationToken).ConfigureAwait(false);
        await using (var meta = new NpgsqlCommand("INSERT INTO meta(key, value) VALUES ('schema', $1), ('created', $2), ('next_task_id', '1')", connection))
        {
            meta.Parameters.Add(new NpgsqlParameter { Value = Version });
            meta.Parameters.Add(new NpgsqlParameter { Value = FuncExec.UnixTime.ToMicroseconds(now).ToString(CultureInfo.InvariantCulture) });
            await meta.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(List<string> Present, string? Version)> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var present = new List<string>();
        foreach (var table in Tables)
        {
            await using var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection);
            exists.Parameters.Add(new NpgsqlParameter { Value = table });
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
            {
                present.Add(table);
            }
        }

        string? version = null;
        if (present.Contains("meta"))
        {
            await using var read = new NpgsqlCommand("SELECT value FROM meta WHERE key = 'schema'", connection);
            version = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }

        return (present, version);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static JournalException Mismatch(string description, List<string> present, string? version) => new(
        version == Version
            ? $"the journal {description} lacks its table(s) {string.Join(", ", Tables.Except(present))}: it was changed by hand or its creation was cut short; "
                + "move its tables aside (renamed, not deleted) and start a new journal with --fresh-journal"
            : version is null
            ? $"the journal {description} has tables named like FuncExec's ({string.Join(", ", present)}) but no schema version in meta; "
                + "it is not a FuncExec journal, or one whose creation was cut short: name another database in --journal, or move those tables aside and start a new journal with --fresh-journal"
            : $"the journal {description} is of schema version {version}, and this FuncExec reads version {Version}: run the FuncExec that wrote it, "
                + "or move its tables aside (renamed, not deleted) and start a new journal with --fresh-journal");
}
