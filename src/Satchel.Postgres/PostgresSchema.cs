namespace Satchel.Postgres;

/// <summary>
/// The store's tables and every statement it runs, for one table name. Version 1 of the schema:
/// one row per session, keyed by the SHA-256 of its token; times are Unix milliseconds; the values
/// are one <c>jsonb</c> object whose members hold each value's bytes in base64
/// (<see cref="PostgresValues"/>), so a change set applies key by key inside one <c>UPDATE</c>
/// (<c>vals - removed || set</c>) and every value comes back byte for byte. The version is the table's comment, checked at start-up.
/// </summary>
internal sealed class PostgresSchema
{
    public const int Version = 1;
    private const string Never = "9223372036854775807";   // no absolute deadline: LEAST(…, never)

    public PostgresSchema(string table, string? schema)
    {
        Table = schema is null ? table : $"{schema}.{table}";
        Locks = Table + "_locks";
        var t = Table;
        const string Columns = "last_access, created, idle_ms, deadline, persistent, user_id, user_agent";
        const string Expiry = "LEAST($2 + idle_ms, COALESCE(deadline, " + Never + "))";
        Create = $"""
            CREATE TABLE IF NOT EXISTS {t} (
                key         bytea   PRIMARY KEY,
                created     bigint  NOT NULL,
                last_access bigint  NOT NULL,
                idle_ms     bigint  NOT NULL,
                deadline    bigint,
                expires_at  bigint  NOT NULL,
                persistent  boolean NOT NULL,
                user_id     text,
                user_agent  text,
                vals        jsonb   NOT NULL
            );
            CREATE INDEX IF NOT EXISTS {table}_expires_at ON {t} (expires_at);
            CREATE INDEX IF NOT EXISTS {table}_user_id ON {t} (user_id) WHERE user_id IS NOT NULL;
            CREATE TABLE IF NOT EXISTS {Locks} (
                key    bytea  PRIMARY KEY,
                holder uuid   NOT NULL,
                until  bigint NOT NULL
            );
            COMMENT ON TABLE {t} IS 'satchel schema {Version}';
            """;
        Load = $"SELECT {Columns}, vals FROM {t} WHERE key = $1 AND expires_at > $2";
        Touch = $"UPDATE {t} SET last_access = $2, expires_at = {Expiry} WHERE key = $1 AND expires_at > $2 AND last_access <= $3 RETURNING {Columns}, vals";
        Insert = $"""
            INSERT INTO {t} (key, last_access, created, idle_ms, deadline, persistent, user_id, user_agent, expires_at, vals)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (key) DO UPDATE SET last_access = excluded.last_access, created = excluded.created, idle_ms = excluded.idle_ms,
                deadline = excluded.deadline, persistent = excluded.persistent, user_id = excluded.user_id, user_agent = excluded.user_agent,
                expires_at = excluded.expires_at, vals = excluded.vals
            """;
        const string Values = "vals = (CASE WHEN $3 THEN '{}'::jsonb ELSE vals END - $4::text[]) || $5";
        Update = $"UPDATE {t} SET {Values}, last_access = $2, expires_at = {Expiry} WHERE key = $1 AND expires_at > $2";
        UpdateWithMetadata = $"""
            UPDATE {t} SET {Values}, last_access = $2, created = $6, idle_ms = $7, deadline = $8, persistent = $9, user_id = $10, user_agent = $11,
                expires_at = LEAST($2 + $7, COALESCE($8, {Never}))
            WHERE key = $1 AND expires_at > $2
            """;
        Delete = $"DELETE FROM {t} WHERE key = $1";
        ListByUser = $"SELECT key, {Columns} FROM {t} WHERE user_id = $1 AND expires_at > $2";
        // One step inside the server: the row is locked by the first part, so the value compared or
        // summed is the newest, and the update applies only when the check passed.
        // The value's bytes as text for the check: "escape" renders any byte that is not printable
        // ASCII as \ooo, so only a plain whole number passes, and nothing in the check can fail.
        const string Digits = "encode(decode(COALESCE(cur.v, 'MA=='), 'base64'), 'escape')";
        Increment = $"""
            WITH cur AS (SELECT key, vals ->> $3 AS v FROM {t} WHERE key = $1 AND expires_at > $2 FOR UPDATE),
            upd AS (
                UPDATE {t} s SET vals = jsonb_set(s.vals, ARRAY[$3], to_jsonb(encode(convert_to(({Digits}::numeric + $4)::text, 'UTF8'), 'base64'))),
                    last_access = $2, expires_at = LEAST($2 + s.idle_ms, COALESCE(s.deadline, {Never}))
                FROM cur
                WHERE s.key = cur.key
                  AND CASE WHEN {Digits} ~ '^[+-]?[0-9]{"{1,30}"}$'
                           THEN {Digits}::numeric + $4 BETWEEN -9223372036854775808 AND 9223372036854775807
                           ELSE false END
                RETURNING 1)
            SELECT cur.v, EXISTS (SELECT 1 FROM upd) FROM cur
            """;
        Replace = $"""
            WITH cur AS (SELECT key, vals ->> $3 AS v FROM {t} WHERE key = $1 AND expires_at > $2 FOR UPDATE),
            upd AS (
                UPDATE {t} s SET vals = jsonb_set(s.vals, ARRAY[$3], to_jsonb($5::text)),
                    last_access = $2, expires_at = LEAST($2 + s.idle_ms, COALESCE(s.deadline, {Never}))
                FROM cur
                WHERE s.key = cur.key AND cur.v IS NOT DISTINCT FROM $4
                RETURNING 1)
            SELECT cur.v, EXISTS (SELECT 1 FROM upd) FROM cur
            """;
        // Many processes sweep at once: each takes rows nobody else holds (SKIP LOCKED), a batch at a time.
        Sweep = $"""
            DELETE FROM {t} WHERE key IN (
                SELECT key FROM {t} WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
            RETURNING key, user_id, last_access, expires_at
            """;
        // Leases run on the server's clock, so app processes whose clocks differ still agree.
        AcquireLock = $"""
            INSERT INTO {Locks} (key, holder, until) VALUES ($1, $2, (extract(epoch FROM clock_timestamp()) * 1000)::bigint + $3)
            ON CONFLICT (key) DO UPDATE SET holder = excluded.holder, until = excluded.until
            WHERE {Locks}.until <= (extract(epoch FROM clock_timestamp()) * 1000)::bigint
            RETURNING 1
            """;
        ReleaseLock = $"DELETE FROM {Locks} WHERE key = $1 AND holder = $2";
        SweepLocks = $"DELETE FROM {Locks} WHERE until <= (extract(epoch FROM clock_timestamp()) * 1000)::bigint";
        VersionQuery = "SELECT obj_description(to_regclass($1), 'pg_class'), to_regclass($2) IS NOT NULL";
    }

    public string Table { get; }
    public string Locks { get; }
    public string Create { get; }

    /// <summary><see cref="Create"/> one statement at a time (Npgsql sends one per command).</summary>
    public IEnumerable<string> CreateStatements => Create.Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    public string Load { get; }
    public string Touch { get; }
    public string Insert { get; }
    public string Update { get; }
    public string UpdateWithMetadata { get; }
    public string Delete { get; }
    public string ListByUser { get; }
    public string Increment { get; }
    public string Replace { get; }
    public string Sweep { get; }
    public string AcquireLock { get; }
    public string ReleaseLock { get; }
    public string SweepLocks { get; }
    public string VersionQuery { get; }
}
