using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Satchel.Tests.Support;

namespace Satchel.DistributedCache.Tests;

public sealed class DistributedCacheStoreTests
{
    private readonly MemoryDistributedCache _cache = new(Options.Create(new MemoryDistributedCacheOptions()));

    [Fact]
    public async Task A_session_round_trips_through_the_cache_as_one_entry_that_expires_in_whole_seconds_never_before_the_session()
    {
        var cache = new RecordingCache(_cache);
        var options = new SatchelOptions { IdleTimeout = TimeSpan.FromMinutes(20) };
        using var manager = new SessionManager(options, new DistributedCacheSessionStore(cache, new() { KeyPrefix = "app:", Shared = false }));
        var browser = new CookieJar(manager);
        await browser.RequestAsync(s => s["cart"] = "3 books");
        Assert.Equal("3 books", await browser.RequestAsync(s => s["cart"]));

        var (key, entryOptions) = Assert.Single(cache.Sets);
        Assert.StartsWith("app:", key, StringComparison.Ordinal);
        Assert.Equal(4 + SessionKey.TextLength, key.Length);
        var record = SessionRecord.FromBytes((await _cache.GetAsync(key))!);
        Assert.Equal("\"3 books\"", record.TryGetValue("cart", out var json) ? Encoding.UTF8.GetString(json) : null);
        // Caches keep whole seconds (RedisCache rounds down): the seconds left, rounded up, plus one.
        Assert.Equal(record.ExpiresAt - record.LastAccess, TimeSpan.FromMinutes(20));
        Assert.Equal(TimeSpan.FromSeconds(20 * 60 + 1), entryOptions.AbsoluteExpirationRelativeToNow);
    }

    private sealed class RecordingCache(IDistributedCache inner) : IDistributedCache
    {
        public List<(string Key, DistributedCacheEntryOptions Options)> Sets { get; } = [];

        public byte[]? Get(string key) => inner.Get(key);
        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => inner.GetAsync(key, token);
        public void Refresh(string key) => inner.Refresh(key);
        public Task RefreshAsync(string key, CancellationToken token = default) => inner.RefreshAsync(key, token);
        public void Remove(string key) => inner.Remove(key);
        public Task RemoveAsync(string key, CancellationToken token = default) => inner.RemoveAsync(key, token);
        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new InvalidOperationException("The store is async only.");

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            Sets.Add((key, options));
            return inner.SetAsync(key, value, options, token);
        }
    }

    [Fact]
    public async Task An_entry_that_is_not_a_session_record_is_no_session()
    {
        var store = new DistributedCacheSessionStore(_cache);
        var key = SessionKey.FromBytes(new byte[32]);
        await _cache.SetAsync("satchel:" + key.ToString(), Encoding.UTF8.GetBytes("someone else's value"));
        Assert.Null(await store.LoadAsync(key, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void An_in_process_cache_is_not_shared_and_any_other_cache_is()
    {
        Assert.Equal(SessionStoreGuarantees.None, new DistributedCacheSessionStore(_cache).Guarantees);
        Assert.Equal(SessionStoreGuarantees.Shared, new DistributedCacheSessionStore(_cache, new() { Shared = true }).Guarantees);
    }

    [Fact]
    public void Use_distributed_cache_without_a_registered_cache_says_how_to_register_one()
    {
        var services = new ServiceCollection();
        services.AddSatchel().UseDistributedCache();
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ISessionStore>());
        Assert.Contains("AddStackExchangeRedisCache", error.Message, StringComparison.Ordinal);
    }
}
