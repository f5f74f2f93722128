using Microsoft.Extensions.Caching.Distributed;

namespace Satchel.DistributedCache;

/// <summary>
/// Sessions in any <see cref="IDistributedCache"/>: one entry per session (the whole record, as
/// <see cref="SessionRecord.ToBytes"/> gives it), expiring at the session's end. A get/set cache
/// cannot apply a change set atomically or refuse to write a key that was just removed, so this
/// store declares neither <see cref="SessionStoreGuarantees.AtomicChanges"/> nor
/// <see cref="SessionStoreGuarantees.NoResurrection"/>: two parallel requests that write the same
/// session can lose one's writes, and a commit racing a logout can bring the session back until it
/// expires. It offers no user index (no "sign out everywhere") and no locks. Use the Redis or
/// SQLite store where those matter; use this one for a cache you already run.
/// </summary>
public sealed class DistributedCacheSessionStore : ISessionStore
{
    private readonly IDistributedCache _cache;
    private readonly string _prefix;

    /// <summary>A store over <paramref name="cache"/>.</summary>
    public DistributedCacheSessionStore(IDistributedCache cache, DistributedCacheSessionStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        options ??= new DistributedCacheSessionStoreOptions();
        _cache = cache;
        _prefix = options.KeyPrefix ?? "";
        var shared = options.Shared ?? cache.GetType().FullName != "Microsoft.Extensions.Caching.Distributed.MemoryDistributedCache";
        Guarantees = shared ? SessionStoreGuarantees.Shared : SessionStoreGuarantees.None;
    }

    /// <inheritdoc />
    public SessionStoreGuarantees Guarantees { get; }

    /// <inheritdoc />
    public async ValueTask<SessionRecord?> LoadAsync(SessionKey key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default)
    {
        var entry = CacheKey(key);
        var record = Read(await _cache.GetAsync(entry, cancellationToken).ConfigureAwait(false), now);
        if (record is null || now - record.LastAccess < touchInterval) return record;
        // The throttled refresh rewrites the entry: a write of another request landing between the
        // get and this set is lost (once per touch interval at most; see the class remarks).
        var touched = new SessionRecord(record.Metadata, now, record.PackedValues, touched: true);
        await SetAsync(entry, touched, now, cancellationToken).ConfigureAwait(false);
        return touched;
    }

    /// <inheritdoc />
    public async ValueTask CreateAsync(SessionKey key, SessionRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await SetAsync(CacheKey(key), record, record.LastAccess, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> UpdateAsync(SessionKey key, SessionChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var entry = CacheKey(key);
        if (Read(await _cache.GetAsync(entry, cancellationToken).ConfigureAwait(false), change.Now) is not { } current) return false;
        await SetAsync(entry, current.Apply(change), change.Now, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public async ValueTask DeleteAsync(SessionKey key, CancellationToken cancellationToken = default) =>
        await _cache.RemoveAsync(CacheKey(key), cancellationToken).ConfigureAwait(false);

    // The entry outlives the session by up to two seconds, never the other way round: caches keep
    // their expiry in whole seconds (RedisCache sends EXPIRE with the seconds left, rounded down,
    // so a 2-second session got 1 second and vanished while in use), and this store checks the
    // session's own expiry on every read anyway.
    private Task SetAsync(string entry, SessionRecord record, DateTimeOffset now, CancellationToken cancellationToken) =>
        _cache.SetAsync(entry, record.ToBytes(), new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = CacheLifetime(record.ExpiresAt - now) }, cancellationToken);

    private static TimeSpan CacheLifetime(TimeSpan left) => TimeSpan.FromSeconds(Math.Ceiling(Math.Max(left.TotalSeconds, 0)) + 1);

    // A live record, or null: the cache's own expiry runs on its clock, the contract's on the caller's.
    // An entry that is not a record (another app's key under the same prefix) is no session.
    private static SessionRecord? Read(byte[]? bytes, DateTimeOffset now)
    {
        if (bytes is null) return null;
        SessionRecord record;
        try
        {
            record = SessionRecord.FromBytes(bytes);
        }
        catch (FormatException)
        {
            return null;
        }
        return record.ExpiresAt > now ? record : null;
    }

    private string CacheKey(SessionKey key) => _prefix + key.ToString();
}
