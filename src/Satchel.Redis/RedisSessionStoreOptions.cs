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
}
