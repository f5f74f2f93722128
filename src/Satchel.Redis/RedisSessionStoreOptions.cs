namespace Satchel.Redis;

/// <summary>Settings of the Redis session store.</summary>
public sealed class RedisSessionStoreOptions
{
    /// <summary>Prefix of every key the store writes. Default <c>satchel:</c>; give each app its own.</summary>
    public string KeyPrefix { get; set; } = "satchel:";

    /// <summary>
    /// How long an exclusive session's lease lasts if its holder never releases it (a crashed
    /// process). Default 30 seconds; keep it above your slowest exclusive request.
    /// </summary>
    public TimeSpan LockLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The Redis database number; -1 for the connection's default.</summary>
    public int Database { get; set; } = -1;

    /// <summary>
    /// Whether the connection Satchel opens itself (<c>UseRedis("host:port")</c>) reads its socket
    /// on the .NET thread pool instead of StackExchange.Redis's own I/O threads. Default
    /// <see langword="true"/>, as StackExchange.Redis 3 always does: the pool thread that read a
    /// reply goes on with its request, where the I/O threads wake a pool thread for it. Measured
    /// (docs/stores/redis.md): 1.2–1.4× less app CPU and Redis CPU per request, about 1.2× the
    /// requests per second. Either way Satchel's calls finish on the pool, so a pool starved by
    /// blocked threads (<c>.Result</c>, <c>.Wait()</c>, session values read without
    /// <c>LoadAsync</c>) stalls session loads with either setting (for the last, see
    /// ASP.NET Core's <c>Satchel:LoadBeforeEndpoint</c>); <see langword="false"/> brings back the
    /// I/O threads. A connection you pass in keeps its own setting.
    /// </summary>
    public bool ReadOnThreadPool { get; set; } = true;
}
