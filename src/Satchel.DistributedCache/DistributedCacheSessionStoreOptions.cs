namespace Satchel.DistributedCache;

/// <summary>Settings of the <c>IDistributedCache</c> session store.</summary>
public sealed class DistributedCacheSessionStoreOptions
{
    /// <summary>Prefix of every cache key the store writes. Default <c>satchel:</c>; give each app its own when apps share a cache.</summary>
    public string KeyPrefix { get; set; } = "satchel:";

    /// <summary>
    /// Whether processes share the cache (so every process must sign cookies with the same
    /// configured secrets). Default <see langword="null"/>: shared unless the cache is ASP.NET
    /// Core's in-process <c>MemoryDistributedCache</c>.
    /// </summary>
    public bool? Shared { get; set; }
}
