using System.Collections.Concurrent;

namespace Satchel;

/// <summary>
/// The default store: sessions in this process's memory. Thread-safe: the table is split into
/// shards, each an open-addressing hash table under its own short lock, so a change set applies
/// atomically and different sessions rarely meet. Each session is one byte array (key, times and
/// packed values), about 130 bytes for an idle session of two small values. Expired sessions are
/// swept in the background one shard at a time, never under a table-wide lock. Sessions are lost
/// when the process ends and are not shared between processes: use Redis for that.
/// </summary>
public sealed class MemorySessionStore : ISessionStore, ISessionUserIndex, ISessionLocks, IDisposable
{
    private const int ShardCount = 64;

    private readonly SessionTable[] _shards = new SessionTable[ShardCount];
    private readonly ConcurrentDictionary<string, UserKeys> _byUser = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<StoreKey, SessionLock> _locks = new();
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;
    private int _count;

    /// <summary>Creates a store that sweeps expired sessions every <paramref name="sweepInterval"/> (default 1 minute).</summary>
    public MemorySessionStore(TimeProvider? timeProvider = null, TimeSpan? sweepInterval = null)
    {
        for (var i = 0; i < ShardCount; i++) _shards[i] = new SessionTable();
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
        var shard = ShardOf(storeKey);
        byte[] blob;
        lock (shard)
        {
            var slot = shard.Find(storeKey);
            if (slot < 0) return new((SessionRecord?)null);
            blob = shard.Slots[slot]!;
            if (SessionBlob.ExpiresAt(blob) <= now.UtcTicks)
            {
                RemoveAt(shard, slot);
                return new((SessionRecord?)null);
            }
            if (now.UtcTicks - SessionBlob.LastAccess(blob) >= touchInterval.Ticks) SessionBlob.SetLastAccess(blob, now.UtcTicks);
        }
        // Outside the lock: only the last access changes in place, and a record copies it.
        return new(SessionBlob.ToRecord(blob));
    }

    /// <inheritdoc />
    public ValueTask<bool> CommitAsync(string key, SessionChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var storeKey = StoreKey.Parse(key);
        var shard = ShardOf(storeKey);
        if (change.Create && change.Metadata is null) throw new ArgumentException("A change that creates a session needs its metadata.", nameof(change));
        lock (shard)
        {
            var slot = shard.Find(storeKey);
            var live = slot >= 0 && SessionBlob.ExpiresAt(shard.Slots[slot]!) > change.Now.UtcTicks;
            if (slot >= 0 && !live)
            {
                RemoveAt(shard, slot);
                slot = -1;
            }
            if (slot < 0)
            {
                if (!change.Create) return new(false);
                shard.Add(SessionBlob.Create(storeKey, change.Metadata!, change));
                Interlocked.Increment(ref _count);
                IndexUser(storeKey, null, change.Metadata!.UserId);
                return new(true);
            }
            var old = shard.Slots[slot]!;
            // Copy on write: a loaded snapshot never changes under its reader.
            shard.Slots[slot] = SessionBlob.Apply(old, change);
            if (change.Metadata is { } metadata)
            {
                var oldUser = SessionBlob.UserId(old);
                if (oldUser != metadata.UserId) IndexUser(storeKey, oldUser, metadata.UserId);
            }
        }
        return new(true);
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var storeKey = StoreKey.Parse(key);
        var shard = ShardOf(storeKey);
        lock (shard)
        {
            var slot = shard.Find(storeKey);
            if (slot >= 0) RemoveAt(shard, slot);
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
                var shard = ShardOf(key);
                byte[] blob;
                lock (shard)
                {
                    var slot = shard.Find(key);
                    if (slot < 0) continue;
                    blob = shard.Slots[slot]!;
                }
                // Metadata only: listing never needs the values.
                if (SessionBlob.ExpiresAt(blob) <= now.UtcTicks) continue;
                var metadata = SessionBlob.Metadata(blob);
                if (metadata.UserId == userId)
                    list.Add(new StoredSession(key.ToString(), metadata, new DateTimeOffset(SessionBlob.LastAccess(blob), TimeSpan.Zero)));
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
        var expired = new List<StoreKey>();
        foreach (var shard in _shards)
        {
            lock (shard)
            {
                foreach (var blob in shard.Slots)
                {
                    if (blob is not null && SessionBlob.ExpiresAt(blob) <= now) expired.Add(SessionBlob.Key(blob));
                }
                // By key, not by slot: removing shifts the slots that follow.
                foreach (var key in expired) RemoveAt(shard, shard.Find(key));
                removed += expired.Count;
                expired.Clear();
                shard.ShrinkIfSparse();
            }
        }
        return removed;
    }

    /// <summary>Stops the background sweep.</summary>
    public void Dispose() => _sweeper.Dispose();

    // The key is a SHA-256: its first bits pick the shard, others the slot.
    private SessionTable ShardOf(in StoreKey key) => _shards[(int)(key.A & (ShardCount - 1))];

    // Called under the shard's lock.
    private void RemoveAt(SessionTable shard, int slot)
    {
        var blob = shard.Slots[slot]!;
        shard.RemoveAt(slot);
        Interlocked.Decrement(ref _count);
        if (SessionBlob.UserId(blob) is { } userId) IndexUser(SessionBlob.Key(blob), userId, null);
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
}
