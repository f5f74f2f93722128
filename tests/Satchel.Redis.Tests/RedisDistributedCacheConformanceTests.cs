using Microsoft.Extensions.Caching.StackExchangeRedis;
using Satchel.DistributedCache;
using Satchel.Redis.Tests.Support;
using Satchel.Testing;

namespace Satchel.Redis.Tests;

/// <summary>The IDistributedCache store on Microsoft.Extensions.Caching.StackExchangeRedis and a real redis-server, against the whole store contract.</summary>
[Collection("redis")]
public sealed class RedisDistributedCacheConformanceTests(RedisFixture redis) : SessionStoreConformanceTests
{
    private RedisCache? _cache;

    protected override ValueTask<ISessionStore> CreateStoreAsync()
    {
        _cache = new RedisCache(new RedisCacheOptions { Configuration = redis.Server.Endpoint, InstanceName = $"dc{Guid.NewGuid():N}:" });
        return new(new DistributedCacheSessionStore(_cache));
    }

    protected override ValueTask DisposeStoreAsync(ISessionStore store)
    {
        _cache?.Dispose();
        return ValueTask.CompletedTask;
    }
}
