using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Satchel.Postgres;

/// <summary>
/// Sessions in PostgreSQL: durable, replicated and backed up with the rest of the app's data, and
/// shared by every app process on the same database. One row per session (keyed by the SHA-256 of
/// its token, never the token): a read is one primary-key lookup, and the throttled expiry
/// refresh a second statement only when it is due. A change set is one <c>UPDATE</c> that applies
/// the keys set and removed inside the server over the row as it is then, so parallel requests
/// writing different keys keep each other's writes, and a late commit never brings back a
/// destroyed or expired session. Expiry is checked in every statement; expired rows are removed
/// in small batches that many processes can run at once. Exclusive sessions take a lease row;
/// <see cref="IncrementAsync"/> and <see cref="ReplaceAsync"/> are one statement each.
/// </summary>
public sealed class PostgresSessionStore : ISessionStore, ISessionUserIndex, ISessionOneStepValues, ISessionExpiryEvents, ISessionLocks, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _source;
    private readonly bool _ownsSource;
    private readonly PostgresSessionStoreOptions _options;
    private readonly PostgresSchema _sql;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _sweeper;
    private int _sweeping;
    private bool _disposed;

    /// <summary>
    /// A store over <paramref name="dataSource"/>, which the caller keeps owning. Creates the
    /// tables when missing (unless <see cref="PostgresSessionStoreOptions.CreateSchema"/> is off)
    /// and checks their version.
    /// </summary>
    /// <exception cref="InvalidOperationException">The options are invalid, the tables are missing and may not be created, or they are of a newer version.</exception>
    /// <exception cref="NpgsqlException">The database could not be reached.</exception>
    public PostgresSessionStore(NpgsqlDataSource dataSource, PostgresSessionStoreOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
        : this(dataSource, ownsSource: false, options, timeProvider, logger)
    {
    }

    private PostgresSessionStore(NpgsqlDataSource dataSource, bool ownsSource, PostgresSessionStoreOptions? options, TimeProvider? timeProvider, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _options = options ?? new PostgresSessionStoreOptions();
        _options.Validate();
        _source = dataSource;
        _ownsSource = ownsSource;
        _sql = new PostgresSchema(_options.TableName, _options.Schema);
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        EnsureSchema();
        _sweeper = _time.CreateTimer(static s => ((PostgresSessionStore)s!).SweepInBackground(), this, _options.SweepInterval, _options.SweepInterval);
    }

    /// <summary>
    /// A store that connects with <paramref name="connectionString"/> (an Npgsql connection string,
    /// <c>"Host=db;Database=app;Username=app;Password=…"</c>) through a data source of its own, with
    /// its statements prepared on each connection (<c>Max Auto Prepare</c>) and no reset when a
    /// connection goes back to the pool (<c>No Reset On Close</c>), unless the string sets them.
    /// </summary>
    /// <exception cref="InvalidOperationException">The options are invalid, the tables are missing and may not be created, or they are of a newer version.</exception>
    /// <exception cref="NpgsqlException">The database could not be reached.</exception>
    public static PostgresSessionStore Connect(string connectionString, PostgresSessionStoreOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0) builder.ConnectionStringBuilder.MaxAutoPrepare = 32;
        // The store leaves no state on a connection (its one advisory lock ends with its transaction),
        // so a connection going back to the pool needs no reset: without this, every statement paid
        // for the reset of the one before (measured: a load cost 2-3x the app and server CPU).
        if (!connectionString.Contains("reset on close", StringComparison.OrdinalIgnoreCase)) builder.ConnectionStringBuilder.NoResetOnClose = true;
        var source = builder.Build();
        try
        {
            return new PostgresSessionStore(source, ownsSource: true, options, timeProvider, logger);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public event Action<ExpiredSession>? Expired;

    /// <summary>The sessions table, as the statements name it.</summary>
    public string TableName => _sql.Table;

    /// <inheritdoc />
    public SessionStoreGuarantees Guarantees => SessionStoreGuarantees.Shared | SessionStoreGuarantees.AtomicChanges | SessionStoreGuarantees.NoResurrection;

    /// <inheritdoc />
    public async ValueTask<SessionRecord?> LoadAsync(SessionKey key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default)
    {
        var at = now.ToUnixTimeMilliseconds();
        await using var load = Command(_sql.Load, Key(key), Long(at));
        var record = await ReadRecordAsync(load, touched: false, cancellationToken).ConfigureAwait(false);
        if (record is null || now - record.LastAccess < touchInterval) return record;
        // Due for the throttled refresh: only the request that makes it says Touched.
        await using var touch = Command(_sql.Touch, Key(key), Long(at), Long(at - (long)touchInterval.TotalMilliseconds));
        return await ReadRecordAsync(touch, touched: true, cancellationToken).ConfigureAwait(false) ?? record;
    }

    /// <inheritdoc />
    public async ValueTask CreateAsync(SessionKey key, SessionRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var m = record.Metadata;
        await using var insert = Command(_sql.Insert, Key(key), Long(record.LastAccess.ToUnixTimeMilliseconds()), Long(m.Created.ToUnixTimeMilliseconds()),
            Long((long)m.IdleTimeout.TotalMilliseconds), NullableLong(m.AbsoluteDeadline?.ToUnixTimeMilliseconds()), Bool(m.Persistent),
            Text(m.UserId), Text(m.UserAgent), Long(record.ExpiresAt.ToUnixTimeMilliseconds()), Jsonb(PostgresValues.Object(record.Values)));
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>One <c>UPDATE</c> whatever the number of keys changed: the server removes and sets them over the row as it is when the statement runs.</remarks>
    public async ValueTask<bool> UpdateAsync(SessionKey key, SessionChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var (set, removed) = PostgresValues.Split(change.Values);
        NpgsqlParameter[] values = [Key(key), Long(change.Now.ToUnixTimeMilliseconds()), Bool(change.Cleared), Names(removed), Jsonb(set)];
        await using var update = change.Metadata is { } m
            ? Command(_sql.UpdateWithMetadata, [.. values, Long(m.Created.ToUnixTimeMilliseconds()), Long((long)m.IdleTimeout.TotalMilliseconds),
                NullableLong(m.AbsoluteDeadline?.ToUnixTimeMilliseconds()), Bool(m.Persistent), Text(m.UserId), Text(m.UserAgent)])
            : Command(_sql.Update, values);
        return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async ValueTask DeleteAsync(SessionKey key, CancellationToken cancellationToken = default)
    {
        await using var delete = Command(_sql.Delete, Key(key));
        await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>One statement: the row is locked, its value checked and summed inside the server.</remarks>
    public async ValueTask<long?> IncrementAsync(SessionKey key, string name, long by, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        await using var increment = Command(_sql.Increment, Key(key), Long(now.ToUnixTimeMilliseconds()), Text(PostgresValues.CheckName(name)), Long(by));
        await using var reader = await increment.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        var current = reader.IsDBNull(0) ? null : PostgresValues.Decode(reader.GetString(0));
        // The server checked what the rules check; they give the sum, and the message when it refused.
        var (_, sum) = OneStepValueRules.Increment(name, current, current is not null, by);
        if (!reader.GetBoolean(1))
            throw new FormatException($"Session value '{name}' could not be incremented by {by}.");
        return sum;
    }

    /// <inheritdoc />
    /// <remarks>One statement: the row is locked, its value compared and replaced inside the server.</remarks>
    public async ValueTask<SessionValueSwap?> ReplaceAsync(SessionKey key, string name, ReadOnlyMemory<byte>? expected, ReadOnlyMemory<byte> value, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        await using var replace = Command(_sql.Replace, Key(key), Long(now.ToUnixTimeMilliseconds()), Text(PostgresValues.CheckName(name)),
            Text(expected is { } e ? PostgresValues.Encode(e.Span) : null), Text(PostgresValues.Encode(value.Span)));
        await using var reader = await replace.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        if (reader.GetBoolean(1)) return new SessionValueSwap(true, value.ToArray());
        return new SessionValueSwap(false, reader.IsDBNull(0) ? (ReadOnlyMemory<byte>?)null : PostgresValues.Decode(reader.GetString(0)));
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<StoredSession>> ListByUserAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        await using var list = Command(_sql.ListByUser, Text(userId), Long(now.ToUnixTimeMilliseconds()));
        await using var reader = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var sessions = new List<StoredSession>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            sessions.Add(new StoredSession(SessionKey.FromBytes(reader.GetFieldValue<byte[]>(0)), Metadata(reader, 1), Time(reader.GetInt64(1))));
        return sessions;
    }

    /// <inheritdoc />
    /// <remarks>
    /// A lease row, taken by one <c>INSERT … ON CONFLICT</c> that wins only over a lease that ran out
    /// (on the server's clock), retried with a growing pause until <paramref name="timeout"/>, and
    /// released only while it is still this holder's. A holder that dies frees the session when
    /// its lease (<see cref="PostgresSessionStoreOptions.LockLease"/>) runs out.
    /// </remarks>
    public async ValueTask<IAsyncDisposable?> AcquireAsync(SessionKey key, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var holder = Guid.NewGuid();
        var started = Stopwatch.GetTimestamp();
        var pause = TimeSpan.FromMilliseconds(2);
        while (true)
        {
            await using (var acquire = Command(_sql.AcquireLock, Key(key), new NpgsqlParameter<Guid> { TypedValue = holder }, Long((long)_options.LockLease.TotalMilliseconds)))
            {
                if (await acquire.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null) return new Lease(this, key, holder);
            }
            if (Stopwatch.GetElapsedTime(started) + pause > timeout) return null;
            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromMilliseconds(50).Ticks));
        }
    }

    /// <summary>
    /// Removes every session expired at the store's clock, in batches of
    /// <see cref="PostgresSessionStoreOptions.SweepBatchSize"/>, each one short statement that
    /// skips rows another sweeper holds; then the leases that ran out. The background sweep calls
    /// this; safe while other processes use and sweep the same table.
    /// </summary>
    /// <returns>How many sessions were removed.</returns>
    public async Task<int> SweepExpiredAsync(CancellationToken cancellationToken = default)
    {
        var removed = 0;
        var batch = new List<ExpiredSession>();
        while (!Volatile.Read(ref _disposed))
        {
            batch.Clear();
            await using (var sweep = Command(_sql.Sweep, Long(_time.GetUtcNow().ToUnixTimeMilliseconds()), new NpgsqlParameter<int> { TypedValue = _options.SweepBatchSize }))
            await using (var reader = await sweep.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    batch.Add(new ExpiredSession(SessionKey.FromBytes(reader.GetFieldValue<byte[]>(0)), reader.IsDBNull(1) ? null : reader.GetString(1),
                        Time(reader.GetInt64(2)), Time(reader.GetInt64(3))));
            }
            removed += batch.Count;
            if (Expired is { } expired)
            {
                foreach (var session in batch) expired(session);
            }
            if (batch.Count < _options.SweepBatchSize) break;
        }
        await using (var locks = Command(_sql.SweepLocks))
            await locks.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <summary>Stops the background sweep, and closes the data source when the store made it (<see cref="Connect"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _disposed)) return;
        Volatile.Write(ref _disposed, true);
        await _sweeper.DisposeAsync().ConfigureAwait(false);
        if (_ownsSource) await _source.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose()
    {
        if (Volatile.Read(ref _disposed)) return;
        Volatile.Write(ref _disposed, true);
        _sweeper.Dispose();
        if (_ownsSource) _source.Dispose();
    }

    private async void SweepInBackground()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1) return;   // the last sweep is still running
        try
        {
            var removed = await SweepExpiredAsync().ConfigureAwait(false);
            if (removed > 0) Log.Swept(_logger, removed, _sql.Table);
        }
        catch (Exception ex) when (!Volatile.Read(ref _disposed))
        {
            Log.SweepFailed(_logger, ex, _sql.Table);
        }
        catch (Exception)
        {
            // Disposed while sweeping: the data source went away under it.
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    // Creates the tables when missing (one process at a time: concurrent CREATE … IF NOT EXISTS can
    // collide), never touching tables that exist, then checks the version they carry.
    private void EnsureSchema()
    {
        using var connection = _source.OpenConnection();
        using (var transaction = connection.BeginTransaction())
        {
            if (_options.CreateSchema)
            {
                Execute(connection, transaction, $"SELECT pg_advisory_xact_lock(hashtext('satchel schema {_sql.Table}'))");
                if (ReadSchema(connection, transaction).Comment is null && !TableExists(connection, transaction))
                {
                    foreach (var statement in _sql.CreateStatements) Execute(connection, transaction, statement);
                }
            }
            var (comment, locks) = ReadSchema(connection, transaction);
            transaction.Commit();
            if (comment is null || !locks)
                throw new InvalidOperationException(
                    $"The PostgreSQL session store's tables {_sql.Table} and {_sql.Locks} are missing or carry no Satchel schema version" +
                    (_options.CreateSchema ? ", and the store does not change a table it did not create. " : ", and PostgresSessionStoreOptions.CreateSchema is off. ") +
                    "Run the script in docs/stores/postgres.md (\"Schema\") once, as a role that may create tables, or pick another PostgresSessionStoreOptions.TableName.");
            if (!comment.StartsWith("satchel schema ", StringComparison.Ordinal) || !int.TryParse(comment["satchel schema ".Length..], out var version))
                throw new InvalidOperationException($"The table {_sql.Table} is not a Satchel session table (its comment is '{comment}'): pick another PostgresSessionStoreOptions.TableName.");
            if (version > PostgresSchema.Version)
                throw new InvalidOperationException(
                    $"The table {_sql.Table} has Satchel schema version {version}, newer than this Satchel.Postgres understands ({PostgresSchema.Version}). Update Satchel.Postgres in this app.");
        }
    }

    private (string? Comment, bool Locks) ReadSchema(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        using var check = new NpgsqlCommand(_sql.VersionQuery, connection, transaction);
        check.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _sql.Table });
        check.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _sql.Locks });
        using var reader = check.ExecuteReader();
        reader.Read();
        return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetBoolean(1));
    }

    private bool TableExists(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        using var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection, transaction);
        exists.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _sql.Table });
        return (bool)exists.ExecuteScalar()!;
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        command.ExecuteNonQuery();
    }

    private NpgsqlCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = _source.CreateCommand(sql);
        foreach (var parameter in parameters) command.Parameters.Add(parameter);
        return command;
    }

    private static async ValueTask<SessionRecord?> ReadRecordAsync(NpgsqlCommand command, bool touched, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return SessionRecord.FromValues(Metadata(reader, 0), Time(reader.GetInt64(0)), PostgresValues.Read(reader.GetString(7)), touched);
    }

    // The metadata columns, from last_access at ordinal `first`: last_access, created, idle_ms, deadline, persistent, user_id, user_agent.
    private static SessionMetadata Metadata(NpgsqlDataReader reader, int first) => new(
        Time(reader.GetInt64(first + 1)),
        TimeSpan.FromMilliseconds(reader.GetInt64(first + 2)),
        reader.IsDBNull(first + 3) ? null : Time(reader.GetInt64(first + 3)),
        reader.GetBoolean(first + 4),
        reader.IsDBNull(first + 5) ? null : reader.GetString(first + 5),
        reader.IsDBNull(first + 6) ? null : reader.GetString(first + 6));

    private static DateTimeOffset Time(long unixMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);

    private static NpgsqlParameter<byte[]> Key(SessionKey key)
    {
        var bytes = new byte[SessionKey.ByteLength];
        key.CopyTo(bytes);
        return new NpgsqlParameter<byte[]> { TypedValue = bytes };
    }

    private static NpgsqlParameter<long> Long(long value) => new() { TypedValue = value };

    private static NpgsqlParameter NullableLong(long? value) => new() { Value = value is { } v ? v : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint };

    private static NpgsqlParameter<bool> Bool(bool value) => new() { TypedValue = value };

    private static NpgsqlParameter Text(string? value) => new() { Value = value is null ? DBNull.Value : value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlParameter<string[]> Names(string[] names) => new() { TypedValue = names, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    private static NpgsqlParameter<string> Jsonb(string json) => new() { TypedValue = json, NpgsqlDbType = NpgsqlDbType.Jsonb };

    private sealed class Lease(PostgresSessionStore store, SessionKey key, Guid holder) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using var release = store.Command(store._sql.ReleaseLock, Key(key), new NpgsqlParameter<Guid> { TypedValue = holder });
            await release.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
    }
}
