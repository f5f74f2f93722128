using System.Text.RegularExpressions;

namespace Satchel.Sqlite;

/// <summary>Settings of the SQLite session store.</summary>
public sealed partial class SqliteSessionStoreOptions
{
    /// <summary>The table sessions live in, created when missing. Default <c>satchel_sessions</c>.</summary>
    public string TableName { get; set; } = "satchel_sessions";

    /// <summary>How often expired rows are removed. Default one minute; expired sessions never load in between.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Rows removed per statement of the sweep. Small batches keep each write transaction short, so
    /// requests (and other processes sharing the file) wait for the sweep at most a few milliseconds.
    /// Default 500.
    /// </summary>
    public int SweepBatchSize { get; set; } = 500;

    /// <summary>How long a write waits for another writer (another request, or another process on the same file). Default 5 seconds.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether every commit is flushed to the disk before it returns (<c>synchronous=FULL</c>).
    /// Default <see langword="false"/> (<c>NORMAL</c> in WAL mode): a committed session survives a
    /// crash or kill of the app, but the last commits before a power cut or an operating-system
    /// crash may be lost. Turn it on to survive those too, at the cost of an fsync per write.
    /// </summary>
    public bool FlushEveryCommit { get; set; }

    internal void Validate()
    {
        if (!Identifier().IsMatch(TableName))
            throw new InvalidOperationException($"SqliteSessionStoreOptions.TableName '{TableName}' is not a plain SQL name: use letters, digits and underscores, starting with a letter or underscore.");
        if (SweepInterval <= TimeSpan.Zero)
            throw new InvalidOperationException($"SqliteSessionStoreOptions.SweepInterval must be positive (it is {SweepInterval}).");
        if (SweepBatchSize < 1)
            throw new InvalidOperationException($"SqliteSessionStoreOptions.SweepBatchSize must be at least 1 (it is {SweepBatchSize}).");
        if (BusyTimeout < TimeSpan.Zero)
            throw new InvalidOperationException($"SqliteSessionStoreOptions.BusyTimeout cannot be negative (it is {BusyTimeout}).");
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex Identifier();
}
