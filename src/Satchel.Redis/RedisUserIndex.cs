using StackExchange.Redis;

namespace Satchel.Redis;

/// <summary>
/// The Redis store's user index: a sorted set per user (<c>{prefix}u:{user}</c>) of session keys,
/// scored by the session's absolute deadline. Added to alongside each commit that names a user;
/// members whose session ended or moved to another user are pruned when the list is read.
/// </summary>
internal sealed class RedisUserIndex(Func<IDatabase> database, string sessionPrefix, string userPrefix) : ISessionUserIndex
{
    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<StoredSession>> ListByUserAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var db = database();
        RedisKey index = userPrefix + userId;
        var nowMs = now.ToUnixTimeMilliseconds();
        await db.SortedSetRemoveRangeByScoreAsync(index, double.NegativeInfinity, nowMs, Exclude.Stop).ConfigureAwait(false);
        var keys = await db.SortedSetRangeByScoreAsync(index).ConfigureAwait(false);
        RedisValue[] fields = ["_c", "_a", "_i", "_d", "_p", "_u", "_ua"];
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
