using System.Collections.Concurrent;

namespace Satchel;

/// <summary>
/// The default store: sessions in this process's memory. Thread-safe; each change set applies
/// under the lock of its own session only. Expired sessions are swept in the background, one
/// entry at a time, never under a table-wide lock. An idle session of two small values costs
/// about 200 bytes: the key is held as 32 bytes inline and the values packed in one array.
/// Sessions are lost when the process ends and are not shared between processes: use Redis for that.
/// </summary>
public sealed class MemorySessionStore : ISessionStore, ISessionUserIndex, ISessionLocks, IDisposable
{
    private readonly ConcurrentDictionary<StoreKey, Entry> _sessions = new();
    private readonly ConcurrentDictionary<string, UserKeys> _byUser = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<StoreKey, SessionLock> _locks = new();
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;
    private int _count;

    /// <summary>Creates a store that sweeps expired sessions every <paramref name="sweepInterval"/> (default 1 minute).</summary>
    public MemorySessionStore(TimeProvider? timeProvider = null, TimeSpan? sweepInterval = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        var interval = sweepInterval ?? TimeSpan.FromMinutes(1);
        _sweeper = _time.CreateTimer(static s => ((MemorySessionStore)s!).SweepExpired(), this, interval, interval);
    }

    /// <summary>Live sessions held (expired ones count until the next sweep).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <inheritdoc />
    public bool IsShared => false;

    /// <inheritdoc />
    public ValueTask<SessionRecord?> LoadAsync(string key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default)
    {
        var storeKey = StoreKey.Parse(key);
        if (!_sessions.TryGetValue(storeKey, out var entry)) return new((SessionRecord?)null);
        SessionRecord record;
        lock (entry)
        {
            if (entry.Deleted) return new((SessionRecord?)null);
            if (entry.ExpiresAt <= now.UtcTicks)
            {
                Remove(storeKey, entry);
                return new((SessionRecord?)null);
            }
            if (now.UtcTicks - entry.LastAccess >= touchInterval.Ticks) entry.LastAccess = now.UtcTicks;
            record = entry.ToRecord();
        }
        return new(record);
    }

    /// <inheritdoc />
    public ValueTask<bool> CommitAsync(string key, SessionChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var storeKey = StoreKey.Parse(key);
        if (change.Create)
        {
            var metadata = change.Metadata ?? throw new ArgumentException("A change that creates a session needs its metadata.", nameof(change));
            var created = new Entry(Apply(PackedValues.Empty, change), metadata, change.Now);
            if (_sessions.TryAdd(storeKey, created))
            {
                Interlocked.Increment(ref _count);
                IndexUser(storeKey, null, metadata.UserId);
                return new(true);
            }
        }

        if (!_sessions.TryGetValue(storeKey, out var entry)) return new(false);
        string? oldUser, newUser;
        lock (entry)
        {
            if (entry.Deleted || entry.ExpiresAt <= change.Now.UtcTicks) return new(false);
            oldUser = entry.UserId;
            // Copy on write: a loaded snapshot never changes under its reader.
            if (change.Cleared || change.Values.Count > 0) entry.Values = Apply(new PackedValues(entry.Values), change);
            if (change.Metadata is { } metadata) entry.SetMetadata(metadata);
            entry.LastAccess = change.Now.UtcTicks;
            newUser = entry.UserId;
        }
        if (oldUser != newUser) IndexUser(storeKey, oldUser, newUser);
        return new(true);
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var storeKey = StoreKey.Parse(key);
        if (_sessions.TryGetValue(storeKey, out var entry))
        {
            lock (entry) Remove(storeKey, entry);
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<StoredSession>> ListByUserAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var list = new List<StoredSession>();
        if (_byUser.TryGetValue(userId, out var keys))
        {
            StoreKey[] snapshot;
            lock (keys) snapshot = [.. keys];
            foreach (var key in snapshot)
            {
                if (!_sessions.TryGetValue(key, out var entry)) continue;
                lock (entry)
                {
                    if (!entry.Deleted && entry.ExpiresAt > now.UtcTicks && entry.UserId == userId)
                        list.Add(new StoredSession(key.ToString(), entry.Metadata(), new DateTimeOffset(entry.LastAccess, TimeSpan.Zero)));
                }
            }
        }
        return new(list);
    }

    /// <inheritdoc />
    public async ValueTask<IAsyncDisposable?> AcquireAsync(string key, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var storeKey = StoreKey.Parse(key);
        while (true)
        {
            var gate = _locks.GetOrAdd(storeKey, static _ => new SessionLock());
            lock (gate)
            {
                if (gate.Retired) continue;
                gate.Users++;
            }
            if (await gate.Semaphore.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
                return new Release(this, storeKey, gate);
            Leave(storeKey, gate);
            return null;
        }
    }

    private void Leave(StoreKey key, SessionLock gate)
    {
        lock (gate)
        {
            if (--gate.Users > 0) return;
            // Retired under its lock, so a late arrival makes a fresh one instead of using a dropped one.
            gate.Retired = true;
            _locks.TryRemove(new KeyValuePair<StoreKey, SessionLock>(key, gate));
        }
        gate.Dispose();
    }

    /// <summary>Removes every expired session now (the background sweep calls this).</summary>
    public int SweepExpired()
    {
        var now = _time.GetUtcNow().UtcTicks;
        var removed = 0;
        foreach (var (key, entry) in _sessions)
        {
            if (Volatile.Read(ref entry.LastAccess) + entry.Idle > now && entry.Deadline > now) continue;
            lock (entry)
            {
                if (entry.ExpiresAt <= now && Remove(key, entry)) removed++;
            }
        }
        return removed;
    }

    /// <summary>Stops the background sweep.</summary>
    public void Dispose() => _sweeper.Dispose();

    // Called under the entry's lock.
    private bool Remove(StoreKey key, Entry entry)
    {
        if (entry.Deleted) return false;
        entry.Deleted = true;
        // Remove only this entry: a racing create under the same key is not ours to drop.
        if (!_sessions.TryRemove(new KeyValuePair<StoreKey, Entry>(key, entry))) return false;
        Interlocked.Decrement(ref _count);
        IndexUser(key, entry.UserId, null);
        return true;
    }

    private void IndexUser(StoreKey key, string? oldUser, string? newUser)
    {
        if (oldUser is not null && _byUser.TryGetValue(oldUser, out var oldKeys))
        {
            lock (oldKeys)
            {
                oldKeys.Remove(key);
                if (oldKeys.Count == 0)
                {
                    // Retired under its lock, so a concurrent add retries with a fresh set.
                    oldKeys.Retired = true;
                    _byUser.TryRemove(new KeyValuePair<string, UserKeys>(oldUser, oldKeys));
                }
            }
        }
        while (newUser is not null)
        {
            var keys = _byUser.GetOrAdd(newUser, static _ => new UserKeys());
            lock (keys)
            {
                if (keys.Retired) continue;
                keys.Add(key);
                return;
            }
        }
    }

    private static byte[] Apply(PackedValues current, SessionChange change) =>
        PackedValues.Apply(change.Cleared ? PackedValues.Empty : current, change.Values);

    private sealed class SessionLock : IDisposable
    {
        public readonly SemaphoreSlim Semaphore = new(1, 1);
        public int Users;
        public bool Retired;

        public void Dispose() => Semaphore.Dispose();
    }

    private sealed class Release(MemorySessionStore store, StoreKey key, SessionLock gate) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Semaphore.Release();
                store.Leave(key, gate);
            }
            return ValueTask.CompletedTask;
        }
    }

    private sealed class UserKeys : HashSet<StoreKey>
    {
        public bool Retired;
    }

    /// <summary>One session, compact: times as UTC ticks, values packed. Guarded by locking the entry.</summary>
    private sealed class Entry
    {
        public byte[] Values;
        public long LastAccess;
        public long Created;
        public long Idle;
        public long Deadline;   // long.MaxValue: none
        public string? UserId;
        public string? UserAgent;
        public bool Persistent;
        public bool Deleted;

        public Entry(byte[] values, SessionMetadata metadata, DateTimeOffset now)
        {
            Values = values;
            LastAccess = now.UtcTicks;
            SetMetadata(metadata);
        }

        public long ExpiresAt => Math.Min(LastAccess + Idle, Deadline);

        public void SetMetadata(SessionMetadata metadata)
        {
            Created = metadata.Created.UtcTicks;
            Idle = metadata.IdleTimeout.Ticks;
            Deadline = metadata.AbsoluteDeadline?.UtcTicks ?? long.MaxValue;
            Persistent = metadata.Persistent;
            UserId = metadata.UserId;
            UserAgent = metadata.UserAgent;
        }

        public SessionMetadata Metadata() => new(
            new DateTimeOffset(Created, TimeSpan.Zero),
            TimeSpan.FromTicks(Idle),
            Deadline == long.MaxValue ? null : new DateTimeOffset(Deadline, TimeSpan.Zero),
            Persistent, UserId, UserAgent);

        public SessionRecord ToRecord() => new(new PackedValues(Values), Metadata(), new DateTimeOffset(LastAccess, TimeSpan.Zero));
    }
}
