using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Satchel.Sqlite;

/// <summary>
/// Sessions in a SQLite file: durable on one machine, so sessions survive a restart or a crash of
/// the app, and shared by every process that opens the same file with the same secrets. One row
/// per session (keyed by the SHA-256 of its token, never the token): a read is one primary-key
/// lookup, and the throttled expiry refresh a second statement only when it is due. A change set
/// applies in one write transaction over the row as it is then, so parallel requests writing
/// different keys keep each other's writes, and a late commit never brings back a destroyed
/// session. WAL mode lets reads run beside a write. Expired rows are removed in the background in
/// small batches. The calls run synchronously: SQLite is a local file, not a network round trip.
/// </summary>
public sealed class SqliteSessionStore : ISessionStore, ISessionUserIndex, ISessionOneStepValues, ISessionExpiryEvents, IDisposable
{
    private readonly string _connectionString;
    private readonly SqliteSessionStoreOptions _options;
    private readonly SqliteSchema _sql;
    private readonly ConcurrentBag<SqliteConnectionLease> _idle = [];
    private readonly int _maxIdle = Math.Max(4, 2 * Environment.ProcessorCount);
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _sweeper;
    private bool _disposed;

    /// <summary>Opens (creating when missing) the database at <paramref name="databasePath"/>, and the store's table in it.</summary>
    /// <param name="databasePath">The database file, relative to the current directory unless rooted.</param>
    /// <param name="options">Table name, sweep and durability settings.</param>
    /// <param name="timeProvider">Drives the background sweep; the system clock by default.</param>
    /// <param name="logger">Where sweep failures are logged.</param>
    /// <exception cref="InvalidOperationException">The options are invalid, or the file cannot be opened as a SQLite database.</exception>
    public SqliteSessionStore(string databasePath, SqliteSessionStoreOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        _options = options ?? new SqliteSessionStoreOptions();
        _options.Validate();
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,   // the store keeps its own open connections, with their statements prepared
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(_options.BusyTimeout.TotalSeconds)),
        }.ToString();
        _sql = new SqliteSchema(_options.TableName);
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        try
        {
            using var lease = new SqliteConnectionLease(_connectionString, _options);
            using var setup = lease.Connection.CreateCommand();
            setup.CommandText = "PRAGMA journal_mode = WAL;" + _sql.Create;
            setup.ExecuteNonQuery();
        }
        catch (SqliteException ex)
        {
            throw new InvalidOperationException($"The SQLite session store could not open '{databasePath}' ({ex.Message}). Check that the directory exists and the app may write to it.", ex);
        }
        DatabasePath = databasePath;
        _sweeper = _time.CreateTimer(static s => ((SqliteSessionStore)s!).SweepInBackground(), this, _options.SweepInterval, _options.SweepInterval);
    }

    /// <inheritdoc />
    public event Action<ExpiredSession>? Expired;

    /// <summary>The database file the store uses.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc />
    public SessionStoreGuarantees Guarantees => SessionStoreGuarantees.Shared | SessionStoreGuarantees.AtomicChanges | SessionStoreGuarantees.NoResurrection;

    /// <inheritdoc />
    public ValueTask<SessionRecord?> LoadAsync(SessionKey key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default)
    {
        using var lease = Rent();
        var record = Read(lease.Value, key, now);
        if (record is null || now - record.LastAccess < touchInterval) return new(record);

        var touch = lease.Value.Command(_sql.Touch);
        Bind(touch, "$key", KeyBytes(key));
        Bind(touch, "$now", now.ToUnixTimeMilliseconds());
        Bind(touch, "$expires", record.Metadata.ExpiresAt(now).ToUnixTimeMilliseconds());
        Bind(touch, "$seen", record.LastAccess.ToUnixTimeMilliseconds());
        // Another request may have refreshed or written the row since the read; then this one did not.
        if (touch.ExecuteNonQuery() == 0) return new(record);
        return new(new SessionRecord(record.Metadata, now, record.PackedValues, touched: true));
    }

    /// <inheritdoc />
    public ValueTask CreateAsync(SessionKey key, SessionRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        using var lease = Rent();
        Write(lease.Value, null, key, record);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> UpdateAsync(SessionKey key, SessionChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        return new(Change(key, change.Now, current => (current.Apply(change), true)));
    }

    /// <inheritdoc />
    public ValueTask<long?> IncrementAsync(SessionKey key, string name, long by, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return new(Change(key, now, current =>
        {
            var present = current.TryGetValue(name, out var json);
            var (next, sum) = OneStepValueRules.Increment(name, json, present, by);
            return (current.Apply(OneValue(now, name, next)), (long?)sum);
        }));
    }

    /// <inheritdoc />
    public ValueTask<SessionValueSwap?> ReplaceAsync(SessionKey key, string name, ReadOnlyMemory<byte>? expected, ReadOnlyMemory<byte> value, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return new(Change(key, now, current =>
        {
            var present = current.TryGetValue(name, out var json);
            if (!OneStepValueRules.Matches(json, present, expected))
                return (null, new SessionValueSwap(false, present ? json.ToArray() : (ReadOnlyMemory<byte>?)null));
            return (current.Apply(OneValue(now, name, value.ToArray())), (SessionValueSwap?)new SessionValueSwap(true, value));
        }));
    }

    // Read, change, write in one write transaction. BEGIN IMMEDIATE takes the write lock before the
    // read, so no other writer (request or process) changes the row in between. Only a live row is
    // read, so nothing ended is ever written back. A null record from the change writes nothing.
    private T? Change<T>(SessionKey key, DateTimeOffset now, Func<SessionRecord, (SessionRecord? Updated, T Result)> change)
    {
        using var lease = Rent();
        using var transaction = lease.Value.Connection.BeginTransaction(deferred: false);
        if (Read(lease.Value, key, now, transaction) is not { } current) return default;
        var (updated, result) = change(current);
        if (updated is null) return result;
        Write(lease.Value, transaction, key, updated);
        transaction.Commit();
        return result;
    }

    private static SessionChange OneValue(DateTimeOffset now, string name, byte[] json) =>
        new() { Now = now, Values = new Dictionary<string, byte[]?>(1, StringComparer.Ordinal) { [name] = json } };

    /// <inheritdoc />
    public ValueTask DeleteAsync(SessionKey key, CancellationToken cancellationToken = default)
    {
        using var lease = Rent();
        var delete = lease.Value.Command(_sql.Delete);
        Bind(delete, "$key", KeyBytes(key));
        delete.ExecuteNonQuery();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<StoredSession>> ListByUserAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        using var lease = Rent();
        var list = lease.Value.Command(_sql.ListByUser);
        Bind(list, "$user", userId);
        Bind(list, "$now", now.ToUnixTimeMilliseconds());
        var sessions = new List<StoredSession>();
        using var reader = list.ExecuteReader();
        while (reader.Read())
        {
            var record = ReadRecord(reader, offset: 1, touched: false);
            sessions.Add(new StoredSession(SessionKey.FromBytes(reader.GetFieldValue<byte[]>(0)), record.Metadata, record.LastAccess));
        }
        return new(sessions);
    }

    /// <summary>
    /// Removes every session expired at the store's clock, in batches of
    /// <see cref="SqliteSessionStoreOptions.SweepBatchSize"/>, each its own short transaction (the
    /// background sweep calls this). Safe while other processes use and sweep the same file.
    /// </summary>
    /// <returns>How many rows were removed.</returns>
    public int SweepExpired()
    {
        var removed = 0;
        using var lease = Rent();
        // Told to a listener: the rows come back from the DELETE itself, so nothing is read twice.
        var reported = Expired is null ? null : new List<ExpiredSession>();
        var sweep = lease.Value.Command(reported is null ? _sql.Sweep : _sql.SweepReturning);
        Bind(sweep, "$batch", _options.SweepBatchSize);
        while (!Volatile.Read(ref _disposed))
        {
            Bind(sweep, "$now", _time.GetUtcNow().ToUnixTimeMilliseconds());
            var batch = reported is null ? sweep.ExecuteNonQuery() : SweepReporting(sweep, reported);
            removed += batch;
            if (batch < _options.SweepBatchSize) break;
        }
        return removed;
    }

    // One batch of the sweep whose removed rows are told to Expired, after its statement is done.
    private int SweepReporting(SqliteCommand sweep, List<ExpiredSession> removed)
    {
        removed.Clear();
        using (var reader = sweep.ExecuteReader())
        {
            while (reader.Read())
                removed.Add(new ExpiredSession(SessionKey.FromBytes(reader.GetFieldValue<byte[]>(0)), reader.IsDBNull(1) ? null : reader.GetString(1),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
        }
        if (Expired is { } expired)
        {
            foreach (var session in removed) expired(session);
        }
        return removed.Count;
    }

    /// <summary>Stops the background sweep and closes the store's connections.</summary>
    public void Dispose()
    {
        if (Volatile.Read(ref _disposed)) return;
        Volatile.Write(ref _disposed, true);
        _sweeper.Dispose();
        while (_idle.TryTake(out var lease)) lease.Dispose();
    }

    private void SweepInBackground()
    {
        try
        {
            var removed = SweepExpired();
            if (removed > 0) Log.Swept(_logger, removed, DatabasePath);
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException)
        {
            Log.SweepFailed(_logger, ex, DatabasePath);
        }
    }

    private SessionRecord? Read(SqliteConnectionLease lease, SessionKey key, DateTimeOffset now, SqliteTransaction? transaction = null)
    {
        var load = lease.Command(_sql.Load, transaction);
        Bind(load, "$key", KeyBytes(key));
        Bind(load, "$now", now.ToUnixTimeMilliseconds());
        using var reader = load.ExecuteReader();
        return reader.Read() ? ReadRecord(reader, offset: 0, touched: false) : null;
    }

    private void Write(SqliteConnectionLease lease, SqliteTransaction? transaction, SessionKey key, SessionRecord record)
    {
        var write = lease.Command(_sql.Write, transaction);
        var metadata = record.Metadata;
        Bind(write, "$key", KeyBytes(key));
        Bind(write, "$created", metadata.Created.ToUnixTimeMilliseconds());
        Bind(write, "$last_access", record.LastAccess.ToUnixTimeMilliseconds());
        Bind(write, "$idle", (long)metadata.IdleTimeout.TotalMilliseconds);
        Bind(write, "$deadline", metadata.AbsoluteDeadline?.ToUnixTimeMilliseconds());
        Bind(write, "$persistent", metadata.Persistent ? 1 : 0);
        Bind(write, "$user_id", metadata.UserId);
        Bind(write, "$user_agent", metadata.UserAgent);
        Bind(write, "$data", record.PackedValues.ToArray());
        Bind(write, "$expires", record.ExpiresAt.ToUnixTimeMilliseconds());
        write.ExecuteNonQuery();
    }

    // Columns in SqliteSchema's record order, from offset.
    private static SessionRecord ReadRecord(SqliteDataReader reader, int offset, bool touched)
    {
        var metadata = new SessionMetadata(
            FromMs(reader.GetInt64(offset)),
            TimeSpan.FromMilliseconds(reader.GetInt64(offset + 2)),
            reader.IsDBNull(offset + 3) ? null : FromMs(reader.GetInt64(offset + 3)),
            reader.GetInt64(offset + 4) != 0,
            reader.IsDBNull(offset + 5) ? null : reader.GetString(offset + 5),
            reader.IsDBNull(offset + 6) ? null : reader.GetString(offset + 6));
        return new SessionRecord(metadata, FromMs(reader.GetInt64(offset + 1)), reader.GetFieldValue<byte[]>(offset + 7), touched);
    }

    private static void Bind(SqliteCommand command, string name, object? value)
    {
        var parameters = command.Parameters;
        var index = parameters.IndexOf(name);
        if (index >= 0) parameters[index].Value = value ?? DBNull.Value;
        else parameters.AddWithValue(name, value ?? DBNull.Value);
    }

    private static byte[] KeyBytes(SessionKey key)
    {
        var bytes = new byte[SessionKey.ByteLength];
        key.CopyTo(bytes);
        return bytes;
    }

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private Lease Rent()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        return new Lease(this, _idle.TryTake(out var lease) ? lease : new SqliteConnectionLease(_connectionString, _options));
    }

    private void Return(SqliteConnectionLease lease)
    {
        if (Volatile.Read(ref _disposed) || _idle.Count >= _maxIdle) lease.Dispose();
        else _idle.Add(lease);
    }

    // A connection out of the pool for one call, back when disposed.
    private readonly struct Lease(SqliteSessionStore store, SqliteConnectionLease value) : IDisposable
    {
        public SqliteConnectionLease Value => value;

        public void Dispose() => store.Return(value);
    }
}
