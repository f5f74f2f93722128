using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Satchel.Redis;

/// <summary>
/// The Redis store's user index: a sorted set per user (<c>{prefix}u:{user}</c>) of session keys,
/// each scored by a bound its session cannot outlive unless the entry is refreshed: its expiry if
/// it were written now, plus <see cref="RefreshInterval"/>. A commit that names a user refreshes
/// the entry, and so does a load of a signed-in session once per interval per user in this
/// process (sent without waiting for it), so a session kept alive by requests never outlives its
/// entry. Each refresh prunes the members past their bound and expires the whole index with its
/// newest member: the index does not grow with the users who ever signed in. Members whose session
/// ended early or moved to another user are pruned when the list is read.
/// </summary>
internal sealed class RedisUserIndex(Func<IDatabase> database, string sessionPrefix, string userPrefix) : ISessionUserIndex
{
    private const int MaxRemembered = 100_000;

    // When this process next refreshes each user's index (Unix ms); forgotten wholesale when large,
    // which costs at most one early refresh per user.
    private readonly ConcurrentDictionary<string, long> _refreshDue = new(StringComparer.Ordinal);

    /// <summary>How long after a refresh this process refreshes a session's entry again: half its idle timeout, at most a minute.</summary>
    public static TimeSpan RefreshInterval(SessionMetadata metadata) =>
        TimeSpan.FromTicks(Math.Min(metadata.IdleTimeout.Ticks / 2, TimeSpan.TicksPerMinute));

    /// <summary>Adds or refreshes the entry of <paramref name="key"/> in its user's index (sent with the commit, one round trip).</summary>
    public Task AddAsync(IDatabase db, string userId, SessionKey key, SessionMetadata metadata, DateTimeOffset now)
    {
        var interval = RefreshInterval(metadata);
        var nowMs = now.ToUnixTimeMilliseconds();
        Remember(userId, nowMs + (long)interval.TotalMilliseconds);
        var bound = now + metadata.IdleTimeout + 2 * interval;
        if (metadata.AbsoluteDeadline is { } deadline && deadline < bound) bound = deadline;
        return RedisScripts.Index.RunAsync(db, userPrefix + userId, [nowMs, key.ToString(), bound.ToUnixTimeMilliseconds()]);
    }

    /// <summary>A signed-in session was loaded: its entry is refreshed when this process's refresh of the user is due, without waiting for it.</summary>
    public void Loaded(IDatabase db, SessionKey key, SessionRecord record, DateTimeOffset now)
    {
        if (record.Metadata.UserId is not { } userId) return;
        if (_refreshDue.TryGetValue(userId, out var due) && due > now.ToUnixTimeMilliseconds()) return;
        _ = RefreshAsync(db, userId, key, record.Metadata, now);
    }

    private async Task RefreshAsync(IDatabase db, string userId, SessionKey key, SessionMetadata metadata, DateTimeOffset now)
    {
        try
        {
            await AddAsync(db, userId, key, metadata, now).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _refreshDue.TryRemove(userId, out _);   // the next load tries again
        }
    }

    private void Remember(string userId, long dueMs)
    {
        if (_refreshDue.Count >= MaxRemembered) _refreshDue.Clear();
        _refreshDue[userId] = dueMs;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<StoredSession>> ListByUserAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var db = database();
        RedisKey index = userPrefix + userId;
        var nowMs = now.ToUnixTimeMilliseconds();
        await db.SortedSetRemoveRangeByScoreAsync(index, double.NegativeInfinity, nowMs, Exclude.Stop).ConfigureAwait(false);
        var keys = await db.SortedSetRangeByScoreAsync(index).ConfigureAwait(false);
        RedisValue[] fields = [RedisFields.Created, RedisFields.LastAccess, RedisFields.Idle, RedisFields.Deadline, RedisFields.Persistent, RedisFields.User, RedisFields.UserAgent];
        var lookups = keys.Select(k => db.HashGetAsync(sessionPrefix + (string)k!, fields)).ToArray();
        await Task.WhenAll(lookups).ConfigureAwait(false);

        var live = new List<StoredSession>();
        var stale = new List<RedisValue>();
        for (var i = 0; i < keys.Length; i++)
        {
            var f = lookups[i].Result;
            if (f[0].IsNull || f[1].IsNull || f[2].IsNull || (string?)f[5] != userId || !SessionKey.TryParse(keys[i], out var key))
            {
                stale.Add(keys[i]);
                continue;
            }
            var metadata = new SessionMetadata(
                RedisSessionStore.FromMs((long)f[0]), TimeSpan.FromMilliseconds((long)f[2]), f[3].IsNull ? null : RedisSessionStore.FromMs((long)f[3]),
                (string?)f[4] == "1", userId, f[6].IsNull ? null : (string?)f[6]);
            var lastAccess = RedisSessionStore.FromMs((long)f[1]);
            if (metadata.ExpiresAt(lastAccess) > now) live.Add(new StoredSession(key, metadata, lastAccess));
        }
        if (stale.Count > 0) await db.SortedSetRemoveAsync(index, [.. stale]).ConfigureAwait(false);
        return live;
    }
}
