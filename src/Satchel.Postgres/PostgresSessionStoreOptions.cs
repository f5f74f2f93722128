using System.Text.RegularExpressions;

namespace Satchel.Postgres;

/// <summary>Settings of the PostgreSQL store. Bound from the configuration section <c>Satchel:Postgres</c> by <c>UsePostgres()</c>.</summary>
public sealed partial class PostgresSessionStoreOptions
{
    /// <summary>
    /// The sessions table; the store also uses <c>{TableName}_locks</c> for exclusive sessions.
    /// Default <c>satchel_sessions</c>, in the connection's <c>search_path</c> unless
    /// <see cref="Schema"/> is set.
    /// </summary>
    public string TableName { get; set; } = "satchel_sessions";

    /// <summary>The schema the tables live in; null (the default) for the connection's <c>search_path</c>.</summary>
    public string? Schema { get; set; }

    /// <summary>
    /// Whether the store creates its tables (and indexes) at start-up when they are missing.
    /// Default <see langword="true"/>. Turn it off where the app has no DDL rights, and run the
    /// script in docs/stores/postgres.md once instead; the store then checks the tables exist and
    /// says what to run when they do not.
    /// </summary>
    public bool CreateSchema { get; set; } = true;

    /// <summary>How often this process removes expired rows. Default 1 minute. Every app process sweeps; they never take the same rows.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Rows one sweep statement removes at most (each batch is its own short statement). Default 500.</summary>
    public int SweepBatchSize { get; set; } = 500;

    /// <summary>
    /// How long an exclusive session's lease lasts if its holder never releases it (a crashed app
    /// process). Default 30 seconds; longer than any request that holds a session should take.
    /// </summary>
    public TimeSpan LockLease { get; set; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        if (!Identifier().IsMatch(TableName))
            throw new InvalidOperationException($"PostgresSessionStoreOptions.TableName '{TableName}' is not a plain SQL name: use lowercase letters, digits and underscores, starting with a letter or underscore, at most 57 characters.");
        if (Schema is not null && !Identifier().IsMatch(Schema))
            throw new InvalidOperationException($"PostgresSessionStoreOptions.Schema '{Schema}' is not a plain SQL name: use lowercase letters, digits and underscores, starting with a letter or underscore.");
        if (SweepInterval <= TimeSpan.Zero)
            throw new InvalidOperationException($"PostgresSessionStoreOptions.SweepInterval must be positive (it is {SweepInterval}).");
        if (SweepBatchSize < 1)
            throw new InvalidOperationException($"PostgresSessionStoreOptions.SweepBatchSize must be at least 1 (it is {SweepBatchSize}).");
        if (LockLease <= TimeSpan.Zero)
            throw new InvalidOperationException($"PostgresSessionStoreOptions.LockLease must be positive (it is {LockLease}).");
    }

    // Lowercase only: PostgreSQL folds unquoted names to lowercase, so the names in the docs' script mean the same.
    [GeneratedRegex("^[a-z_][a-z0-9_]{0,56}$")]
    private static partial Regex Identifier();
}
