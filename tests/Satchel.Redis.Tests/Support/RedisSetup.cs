using Microsoft.Extensions.Time.Testing;
using Satchel.Tests.Support;
using StackExchange.Redis;

namespace Satchel.Redis.Tests.Support;

/// <summary>A SessionManager on the real Redis store, under a key prefix of its own.</summary>
public sealed class RedisSetup : IDisposable
{
    public const string Secret = "redis-test-secret-0123456789-abcdefghijklmnop";

    public RedisSetup(string endpoint, Action<SatchelOptions>? configure = null, string? prefix = null)
    {
        Prefix = prefix ?? $"t{Guid.NewGuid():N}:";
        Connection = ConnectionMultiplexer.Connect($"{endpoint},abortConnect=false");
        Store = new RedisSessionStore(Connection, new RedisSessionStoreOptions { KeyPrefix = Prefix });
        var options = new SatchelOptions();
        options.Secrets.Add(Secret);
        configure?.Invoke(options);
        Manager = new SessionManager(options, Store, Time, Logs);
    }

    public string Prefix { get; }

    /// <summary>The Redis key of the session hash a browser's cookie names.</summary>
    public string HashKeyOf(CookieJar browser) => Prefix + "s:" + SessionKey.FromToken(browser.Value![..SessionToken.Length]);

    // Redis expires keys on its own clock, so the fake clock starts at the real now.
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public LogCollector Logs { get; } = new();

    public ConnectionMultiplexer Connection { get; }

    public RedisSessionStore Store { get; }

    public SessionManager Manager { get; }

    public CookieJar NewBrowser() => new(Manager);

    public IDatabase Db => Connection.GetDatabase();

    /// <summary>Every key under this setup's prefix, on every primary (one server, or all nodes of a cluster).</summary>
    public RedisKey[] Keys() =>
        [.. Connection.GetEndPoints().Select(e => Connection.GetServer(e)).Where(s => !s.IsReplica).SelectMany(s => s.Keys(pattern: Prefix + "*"))];

    public void Dispose() => Connection.Dispose();
}
