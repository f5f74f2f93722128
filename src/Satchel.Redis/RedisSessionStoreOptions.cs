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
    /// on the .NET thread pool instead of StackExchange.Redis's own I/O threads. It saves a thread
    /// switch per command: 25–35 % less app CPU time per Redis request, measured with both settings
    /// side by side on one core (docs/stores/redis.md). Default <see langword="false"/>: replies then wait for a free pool
    /// thread, so a busy or blocked pool (<c>.Result</c>, <c>.Wait()</c>, session values read
    /// without <c>LoadAsync</c>) turns into Redis timeouts and 503s — seen in Satchel's own fault
    /// test with a 1 s timeout on a CPU-starved machine. Turn it on for an async-only app with
    /// headroom on its timeouts. A connection you pass in keeps its own setting.
    /// </summary>
    public bool ReadOnThreadPool { get; set; }
}
