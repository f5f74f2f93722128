using Satchel.Redis.Tests.Support;
using Satchel.Testing;
using StackExchange.Redis;

namespace Satchel.Redis.Tests;

/// <summary>The Redis store, on a real redis-server, against the whole store contract.</summary>
[Collection("redis")]
public sealed class RedisStoreConformanceTests(RedisFixture redis) : RedisConformanceTests(redis.Server.Endpoint);

/// <summary>The Redis store on a three-primary Redis Cluster: every key and script of a session stays in one slot.</summary>
[Collection("redis-cluster")]
public sealed class RedisClusterConformanceTests(RedisClusterFixture cluster) : RedisConformanceTests(cluster.Endpoints);

public abstract class RedisConformanceTests(string endpoints) : SessionStoreConformanceTests
{
    private ConnectionMultiplexer? _connection;

    protected override async ValueTask<ISessionStore> CreateStoreAsync()
    {
        _connection = await ConnectionMultiplexer.ConnectAsync(endpoints);
        return new RedisSessionStore(_connection, new RedisSessionStoreOptions { KeyPrefix = $"c{Guid.NewGuid():N}:" });
    }

    protected override async ValueTask DisposeStoreAsync(ISessionStore store)
    {
        if (_connection is not null) await _connection.DisposeAsync();
    }
}
