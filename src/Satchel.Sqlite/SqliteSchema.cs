namespace Satchel.Sqlite;

/// <summary>
/// The store's table and statements, written once. One row per session, keyed by the SHA-256 of
/// its token; values packed in one blob, so a read is one primary-key lookup. Times are Unix
/// milliseconds; <c>expires</c> is kept beside them so expiry is a comparison, and indexed for the sweep.
/// </summary>
internal sealed class SqliteSchema(string table)
{
    private const string Record = "created, last_access, idle, deadline, persistent, user_id, user_agent, data";

    public string Create { get; } = $"""
        CREATE TABLE IF NOT EXISTS {table} (
            key BLOB NOT NULL PRIMARY KEY,
            created INTEGER NOT NULL,
            last_access INTEGER NOT NULL,
            expires INTEGER NOT NULL,
            idle INTEGER NOT NULL,
            deadline INTEGER,
            persistent INTEGER NOT NULL,
            user_id TEXT,
            user_agent TEXT,
            data BLOB NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS {table}_expires ON {table} (expires);
        CREATE INDEX IF NOT EXISTS {table}_user ON {table} (user_id) WHERE user_id IS NOT NULL;
        """;

    /// <summary>A live session: $key, $now.</summary>
    public string Load { get; } = $"SELECT {Record} FROM {table} WHERE key = $key AND expires > $now";

    /// <summary>The throttled expiry refresh, only over the row that was read: $key, $now, $expires, $seen.</summary>
    public string Touch { get; } = $"UPDATE {table} SET last_access = $now, expires = $expires WHERE key = $key AND last_access = $seen AND expires > $now";

    /// <summary>A whole record, new or replacing: $key and every column.</summary>
    public string Write { get; } = $"""
        INSERT OR REPLACE INTO {table} (key, {Record}, expires)
        VALUES ($key, $created, $last_access, $idle, $deadline, $persistent, $user_id, $user_agent, $data, $expires)
        """;

    public string Delete { get; } = $"DELETE FROM {table} WHERE key = $key";

    /// <summary>A user's live sessions: $user, $now.</summary>
    public string ListByUser { get; } = $"SELECT key, {Record} FROM {table} WHERE user_id = $user AND expires > $now";

    /// <summary>One batch of the sweep: $now, $batch.</summary>
    public string Sweep { get; } = $"DELETE FROM {table} WHERE key IN (SELECT key FROM {table} WHERE expires <= $now ORDER BY expires LIMIT $batch)";

    /// <summary>The same batch of the sweep, giving back what it removed: key, user_id, last_access, expires.</summary>
    public string SweepReturning { get; } = $"DELETE FROM {table} WHERE key IN (SELECT key FROM {table} WHERE expires <= $now ORDER BY expires LIMIT $batch) RETURNING key, user_id, last_access, expires";
}
