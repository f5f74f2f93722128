using System.Collections.Concurrent;

namespace Satchel;

/// <summary>
/// The default store: sessions in this process's memory. Thread-safe; each change set applies
/// under the lock of its own session only. Expired sessions are swept in the background, one
/// entry at a time, never under a table-wide lock. Sessions are lost when the process ends and
/// are not shared between processes: use Redis or SQLite for that.
/// </summary>
public sealed class MemorySessionStore : ISessionStore, ISessionUserIndex, IDisposable
{
    private static readonly Dictionary<string, byte[]> NoValues = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, Entry> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, UserKeys> _byUser = new(StringComparer.Ordinal);
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
        if (!_sessions.TryGetValue(key, out var entry)) return new((SessionRecord?)null);
        var record = entry.Record;
        if (record.ExpiresAt <= now)
        {
            Remove(key, entry);
            return new((SessionRecord?)null);
        }
        if (now - record.LastAccess >= touchInterval)
        {
            lock (entry)
            {
                if (entry.Deleted) return new((SessionRecord?)null);
                entry.Record = record = entry.Record with { LastAccess = now };
            }
        }
        return new(record);
    }

    /// <inheritdoc />
    public ValueTask<bool> CommitAsync(string key, SessionChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Create)
        {
            var metadata = change.Metadata ?? throw new ArgumentException("A change that creates a session needs its metadata.", nameof(change));
            var created = new Entry(new SessionRecord(Apply(NoValues, change), metadata, change.Now));
            if (_sessions.TryAdd(key, created))
            {
                Interlocked.Increment(ref _count);
                IndexUser(key, null, metadata.UserId);
                return new(true);
            }
        }

        if (!_sessions.TryGetValue(key, out var entry)) return new(false);
        string? oldUser, newUser;
        lock (entry)
        {
            var record = entry.Record;
            if (entry.Deleted || record.ExpiresAt <= change.Now) return new(false);
            var metadata = change.Metadata ?? record.Metadata;
            entry.Record = new SessionRecord(Apply(record.Values, change), metadata, change.Now);
            (oldUser, newUser) = (record.Metadata.UserId, metadata.UserId);
        }
        if (oldUser != newUser) IndexUser(key, oldUser, newUser);
        return new(true);
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        if (_sessions.TryGetValue(key, out var entry)) Remove(key, entry);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<StoredSession>> ListByUserAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var list = new List<StoredSession>();
        if (_byUser.TryGetValue(userId, out var keys))
        {
            string[] snapshot;
            lock (keys) snapshot = [.. keys];
            foreach (var key in snapshot)
            {
                if (_sessions.TryGetValue(key, out var entry) && entry.Record is var r && r.ExpiresAt > now && r.Metadata.UserId == userId)
                    list.Add(new StoredSession(key, r.Metadata, r.LastAccess));
            }
        }
        return new(list);
    }

    /// <summary>Removes every expired session now (the background sweep calls this).</summary>
    public int SweepExpired()
    {
        var now = _time.GetUtcNow();
        var removed = 0;
        foreach (var (key, entry) in _sessions)
        {
            if (entry.Record.ExpiresAt <= now && Remove(key, entry)) removed++;
        }
        return removed;
    }

    /// <summary>Stops the background sweep.</summary>
    public void Dispose() => _sweeper.Dispose();

    private bool Remove(string key, Entry entry)
    {
        lock (entry)
        {
            if (entry.Deleted) return false;
            entry.Deleted = true;
        }
        // Remove only this entry: a racing create under the same key is not ours to drop.
        if (!_sessions.TryRemove(new KeyValuePair<string, Entry>(key, entry))) return false;
        Interlocked.Decrement(ref _count);
        IndexUser(key, entry.Record.Metadata.UserId, null);
        return true;
    }

    private void IndexUser(string key, string? oldUser, string? newUser)
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

    private static Dictionary<string, byte[]> Apply(IReadOnlyDictionary<string, byte[]> current, SessionChange change)
    {
        // Copy on write: a loaded snapshot never changes under a reader.
        var values = change.Cleared ? new Dictionary<string, byte[]>(StringComparer.Ordinal) : new Dictionary<string, byte[]>(current, StringComparer.Ordinal);
        foreach (var (key, value) in change.Values)
        {
            if (value is null) values.Remove(key);
            else values[key] = value;
        }
        return values;
    }

    private sealed class UserKeys() : HashSet<string>(StringComparer.Ordinal)
    {
        public bool Retired;
    }

    private sealed class Entry(SessionRecord record)
    {
        public SessionRecord Record = record;
        public bool Deleted;
    }
}
