using System.Diagnostics;
using StackExchange.Redis;

namespace Satchel.Redis;

/// <summary>The Redis store's exclusive sessions: a lease per session that expires on its own if its holder dies.</summary>
internal sealed class RedisSessionLocks(Func<IDatabase> database, string lockPrefix, TimeSpan lease) : ISessionLocks
{
    /// <inheritdoc />
    /// <remarks>
    /// A lease: <c>SET {prefix}l:{key} {random} NX PX {LockLease}</c>, retried with a growing pause
    /// until <paramref name="timeout"/>, and released by a script that deletes it only while it is
    /// still this holder's. A holder that dies frees the session when the lease runs out.
    /// </remarks>
    public async ValueTask<IAsyncDisposable?> AcquireAsync(SessionKey key, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var db = database();
        RedisKey lockKey = lockPrefix + key.ToString();
        RedisValue holder = Guid.NewGuid().ToString("N");
        var started = Stopwatch.GetTimestamp();   // monotonic: a clock step must not end or stretch the wait
        var pause = TimeSpan.FromMilliseconds(2);
        while (true)
        {
            if (await db.StringSetAsync(lockKey, holder, lease, When.NotExists).ConfigureAwait(false))
                return new Lease(db, lockKey, holder);
            if (Stopwatch.GetElapsedTime(started) + pause > timeout) return null;
            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromMilliseconds(50).Ticks));
        }
    }

    private sealed class Lease(IDatabase db, RedisKey key, RedisValue holder) : IAsyncDisposable
    {
        private const string ReleaseScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

        public async ValueTask DisposeAsync() =>
            await db.ScriptEvaluateAsync(ReleaseScript, [key], [holder]).ConfigureAwait(false);
    }
}
