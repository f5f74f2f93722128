using System.Collections.Concurrent;

namespace Satchel;

/// <summary>
/// The default store: sessions in this process's memory. Thread-safe: the table is split into
/// shards, each an open-addressing hash table under its own short lock, so a change set applies
/// atomically and different sessions rarely meet. Each session is one run of bytes in native
/// memory, outside the GC's heap (key, times and packed values): about 130 bytes for an idle
/// session of two small values, table slot included. A load copies its session out. Expired
/// sessions are swept in the background one shard at a time, never under a table-wide lock.
/// Sessions are lost when the process ends and are not shared between processes: use Redis for
/// that. <see cref="Dispose"/> frees them; the store refuses calls after it.
/// </summary>
public sealed class MemorySessionStore : ISessionStore, ISessionUserIndex, ISessionLocks, ISessionOneStepValues, ISessionCounter, ISessionExpiryEvents, IDisposable
{
    private const int ShardCount = 64;
    private const int EvictedShare = 20;   // at the limit, room is made for 5 % of MaxSessions per scan (0.29 s at 1,000,000; 1 % batches cost twice the CPU)

    private readonly SessionTable[] _shards = new SessionTable[ShardCount];
    private readonly ConcurrentDictionary<string, UserKeys> _byUser = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<SessionKey, SessionLock> _locks = new();
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;
    private readonly int _maxSessions;
    private readonly Lock _evicting = new();
    private long _lastCapacitySweep = long.MinValue / 2;
    private int _count;
    private volatile bool _disposed;

    /// <summary>Creates a store with default options on the system clock.</summary>
    public MemorySessionStore() : this(null, null) { }

    /// <summary>Creates a store; <paramref name="timeProvider"/> drives the background sweep.</summary>
    /// <exception cref="InvalidOperationException">The options are invalid.</exception>
    public MemorySessionStore(MemorySessionStoreOptions? options, TimeProvider? timeProvider = null)
    {
        options ??= new MemorySessionStoreOptions();
        options.Validate();
        for (var i = 0; i < ShardCount; i++) _shards[i] = new SessionTable();
        _time = timeProvider ?? TimeProvider.System;
        var interval = options.SweepInterval;
        _maxSessions = options.MaxSessions;
        _sweeper = _time.CreateTimer(static s => ((MemorySessionStore)s!).SweepExpired(), this, interval, interval);
    }

    /// <summary>Live sessions held (expired ones count until the next sweep).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <inheritdoc />
    long ISessionCounter.LiveSessions => Count;

    /// <inheritdoc />
    public event Action<ExpiredSession>? Expired;

    /// <inheritdoc />
    public SessionStoreGuarantees Guarantees => SessionStoreGuarantees.AtomicChanges | SessionStoreGuarantees.NoResurrection;

    /// <inheritdoc />
    public ValueTask<SessionRecord?> LoadAsync(SessionKey key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default)
    {
        var shard = ShardOf(key);
        ExpiredSession? ended;
        lock (shard)
        {
            ThrowIfDisposed();
            var slot = shard.Find(key);
            if (slot < 0) return new((SessionRecord?)null);
            var blob = shard[slot];
            if (SessionBlob.ExpiresAt(blob) > now.UtcTicks)
            {
                var touched = now.UtcTicks - SessionBlob.LastAccess(blob) >= touchInterval.Ticks;
                if (touched) SessionBlob.SetLastAccess(blob, now.UtcTicks);
                // A copy: the table's bytes are valid only under this lock.
                return new(SessionBlob.ToRecord(blob.ToArray(), touched));
            }
            ended = Ended(blob);
            RemoveAt(shard, slot);
        }
        Report(ended);
        return new((SessionRecord?)null);
    }

    /// <inheritdoc />
    public ValueTask CreateAsync(SessionKey key, SessionRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (AtCapacity())
        {
            SatchelMetrics.MemoryStoreRefused.Add(1);
            throw new InvalidOperationException($"The memory store holds {_maxSessions} sessions of signed-in users, its limit (MemorySessionStoreOptions.MaxSessions); new sessions are refused until some expire or end. Raise MaxSessions, or use Redis or SQLite for this many sessions.");
        }
        var shard = ShardOf(key);
        lock (shard)
        {
            ThrowIfDisposed();
            var blob = SessionBlob.Create(key, record);
            var slot = shard.Find(key);
            if (slot >= 0) RemoveAt(shard, slot);
            shard.Add(blob);
            Interlocked.Increment(ref _count);
            IndexUser(key, null, record.Metadata.UserId);
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> UpdateAsync(SessionKey key, SessionChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var shard = ShardOf(key);
        lock (shard)
        {
            ThrowIfDisposed();
            var slot = shard.Find(key);
            if (slot < 0) return new(false);
            var old = shard[slot];
            if (SessionBlob.ExpiresAt(old) <= change.Now.UtcTicks)
            {
                RemoveAt(shard, slot);
                return new(false);
            }
            var oldUser = change.Metadata is null ? null : SessionBlob.UserId(old);
            shard.Replace(slot, SessionBlob.Apply(old, change));
            if (change.Metadata is { } metadata && oldUser != metadata.UserId) IndexUser(key, oldUser, metadata.UserId);
        }
        return new(true);
    }

    /// <inheritdoc />
    public ValueTask<long?> IncrementAsync(SessionKey key, string name, long by, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var shard = ShardOf(key);
        lock (shard)
        {
            if (LiveSlot(shard, key, now) is not { } slot) return new((long?)null);
            var blob = shard[slot];
            var present = SessionBlob.TryGetValue(blob, name, out var current);
            var (json, sum) = OneStepValueRules.Increment(name, current, present, by);
            shard.Replace(slot, SessionBlob.Apply(blob, OneValue(now, name, json)));
            return new(sum);
        }
    }

    /// <inheritdoc />
    public ValueTask<SessionValueSwap?> ReplaceAsync(SessionKey key, string name, ReadOnlyMemory<byte>? expected, ReadOnlyMemory<byte> value, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var shard = ShardOf(key);
        lock (shard)
        {
            if (LiveSlot(shard, key, now) is not { } slot) return new((SessionValueSwap?)null);
            var blob = shard[slot];
            var present = SessionBlob.TryGetValue(blob, name, out var current);
            if (!OneStepValueRules.Matches(current, present, expected)) return new(new SessionValueSwap(false, present ? current.ToArray() : (ReadOnlyMemory<byte>?)null));
            shard.Replace(slot, SessionBlob.Apply(blob, OneValue(now, name, value.ToArray())));
            return new(new SessionValueSwap(true, value));
        }
    }

    // Under the shard's lock: the slot of a session live at now; an expired one is removed.
    private int? LiveSlot(SessionTable shard, SessionKey key, DateTimeOffset now)
    {
        ThrowIfDisposed();
        var slot = shard.Find(key);
        if (slot < 0) return null;
        if (SessionBlob.ExpiresAt(shard[slot]) > now.UtcTicks) return slot;
        RemoveAt(shard, slot);
        return null;
    }

    private static SessionChange OneValue(DateTimeOffset now, string name, byte[] json) =>
        new() { Now = now, Values = ValueChanges.One(name, json) };

    /// <inheritdoc />
    public ValueTask DeleteAsync(SessionKey key, CancellationToken cancellationToken = default)
    {
        var shard = ShardOf(key);
        lock (shard)
        {
            ThrowIfDisposed();
            var slot = shard.Find(key);
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
            SessionKey[] snapshot;
            lock (keys) snapshot = [.. keys];
            foreach (var key in snapshot)
            {
                var shard = ShardOf(key);
                lock (shard)
                {
                    ThrowIfDisposed();
                    var slot = shard.Find(key);
                    if (slot < 0) continue;
                    var blob = shard[slot];
                    // Metadata only: listing never needs the values.
                    if (SessionBlob.ExpiresAt(blob) <= now.UtcTicks) continue;
                    var metadata = SessionBlob.Metadata(blob);
                    if (metadata.UserId == userId)
                        list.Add(new StoredSession(key, metadata, new DateTimeOffset(SessionBlob.LastAccess(blob), TimeSpan.Zero)));
                }
            }
        }
        return new(list);
    }

    /// <inheritdoc />
    public async ValueTask<IAsyncDisposable?> AcquireAsync(SessionKey key, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var gate = _locks.GetOrAdd(key, static _ => new SessionLock());
            lock (gate)
            {
                if (gate.Retired) continue;
                gate.Users++;
            }
            if (await gate.Semaphore.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
                return new Release(this, key, gate);
            Leave(key, gate);
            return null;
        }
    }

    private void Leave(SessionKey key, SessionLock gate)
    {
        lock (gate)
        {
            if (--gate.Users > 0) return;
            // Retired under its lock, so a late arrival makes a fresh one instead of using a dropped one.
            gate.Retired = true;
            _locks.TryRemove(new KeyValuePair<SessionKey, SessionLock>(key, gate));
        }
        gate.Dispose();
    }

    // Full: sweep out the expired first, at most once a second, so a flood costs no sweep per request.
    // Still full: make room by evicting the anonymous sessions idle the longest, so one client
    // creating sessions without a cookie cannot lock new visitors and sign-ins out until sessions
    // idle out. Refused only when every session held belongs to a signed-in user.
    private bool AtCapacity()
    {
        if (Count < _maxSessions) return false;
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastCapacitySweep);
        if (now - last >= _time.TimestampFrequency && Interlocked.CompareExchange(ref _lastCapacitySweep, now, last) == last) SweepExpired();
        if (Count < _maxSessions) return false;
        lock (_evicting)
        {
            if (Count >= _maxSessions) EvictIdleAnonymous(Math.Max(1, _maxSessions / EvictedShare));
        }
        return Count >= _maxSessions;
    }

    // The anonymous sessions (no user) idle the longest, at most count of them, out of the store: one
    // scan keeps the oldest in a heap whose top is the newest kept, so each scan frees a batch.
    private void EvictIdleAnonymous(int count)
    {
        var oldest = new PriorityQueue<SessionKey, long>(count, Comparer<long>.Create(static (a, b) => b.CompareTo(a)));
        foreach (var shard in _shards)
        {
            lock (shard)
            {
                if (_disposed) return;
                for (var slot = 0; slot < shard.Capacity; slot++)
                {
                    var blob = shard[slot];
                    if (blob.IsEmpty || SessionBlob.HasUserId(blob)) continue;
                    var lastAccess = SessionBlob.LastAccess(blob);
                    if (oldest.Count < count) oldest.Enqueue(SessionBlob.Key(blob), lastAccess);
                    else if (oldest.TryPeek(out _, out var newestKept) && lastAccess < newestKept) oldest.DequeueEnqueue(SessionBlob.Key(blob), lastAccess);
                }
            }
        }
        var evicted = 0;
        var reports = new List<ExpiredSession>();
        while (oldest.TryDequeue(out var key, out _))
        {
            var shard = ShardOf(key);
            lock (shard)
            {
                if (_disposed) return;
                var slot = shard.Find(key);
                // Signed in since the scan: no longer anonymous, so it stays.
                if (slot < 0 || SessionBlob.HasUserId(shard[slot])) continue;
                if (Ended(shard[slot]) is { } ended) reports.Add(ended);
                RemoveAt(shard, slot);
                evicted++;
            }
        }
        SatchelMetrics.MemoryStoreEvicted.Add(evicted);
        foreach (var ended in reports) Report(ended);
    }

    /// <summary>Removes every expired session now (the background sweep calls this).</summary>
    public int SweepExpired()
    {
        var now = _time.GetUtcNow().UtcTicks;
        var removed = 0;
        var expired = new List<SessionKey>();
        var reports = new List<ExpiredSession>();
        foreach (var shard in _shards)
        {
            lock (shard)
            {
                if (_disposed) return removed;
                for (var slot = 0; slot < shard.Capacity; slot++)
                {
                    var blob = shard[slot];
                    if (!blob.IsEmpty && SessionBlob.ExpiresAt(blob) <= now) expired.Add(SessionBlob.Key(blob));
                }
                // By key, not by slot: removing shifts the slots that follow.
                foreach (var key in expired)
                {
                    var slot = shard.Find(key);
                    if (Ended(shard[slot]) is { } ended) reports.Add(ended);
                    RemoveAt(shard, slot);
                }
                shard.ShrinkIfSparse();
            }
            // Outside the lock: the application's handlers run here.
            foreach (var ended in reports) Report(ended);
            removed += expired.Count;
            expired.Clear();
            reports.Clear();
        }
        return removed;
    }

    // Under the shard's lock: what an expired session's report says, when someone listens.
    private ExpiredSession? Ended(ReadOnlySpan<byte> blob) =>
        Expired is null ? null : new ExpiredSession(SessionBlob.Key(blob), SessionBlob.UserId(blob),
            new DateTimeOffset(SessionBlob.LastAccess(blob), TimeSpan.Zero), new DateTimeOffset(SessionBlob.ExpiresAt(blob), TimeSpan.Zero));

    // A session removed because it expired, told to whoever listens (outside the shard's lock).
    private void Report(ExpiredSession? ended)
    {
        if (ended is { } session) Expired?.Invoke(session);
    }

    /// <summary>Stops the background sweep and frees every session's memory; the store refuses calls after this.</summary>
    public void Dispose()
    {
        // First: every call checks it under its shard's lock, so none adds to a shard cleared below.
        _disposed = true;
        _sweeper.Dispose();
        foreach (var shard in _shards)
        {
            lock (shard) shard.Clear();
        }
        Volatile.Write(ref _count, 0);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    // The key is a SHA-256: its first bits pick the shard, others the slot.
    private SessionTable ShardOf(SessionKey key) => _shards[(int)(key.Low & (ShardCount - 1))];

    // Called under the shard's lock.
    private void RemoveAt(SessionTable shard, int slot)
    {
        var blob = shard[slot];
        var userId = SessionBlob.UserId(blob);
        var key = SessionBlob.Key(blob);
        shard.RemoveAt(slot);
        Interlocked.Decrement(ref _count);
        if (userId is not null) IndexUser(key, userId, null);
    }

    private void IndexUser(SessionKey key, string? oldUser, string? newUser)
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

    private sealed class Release(MemorySessionStore store, SessionKey key, SessionLock gate) : IAsyncDisposable
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

    private sealed class UserKeys : HashSet<SessionKey>
    {
        public bool Retired;
    }
}
