using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using System.Net.Sockets;
using Satchel.Redis.Tests.Support;
using Satchel.Tests.Support;

namespace Satchel.Redis.Tests;

[Collection("redis")]
public class RedisStartupTests(RedisFixture redis)
{
    [Fact]
    public async Task The_store_connects_in_the_background_and_fails_fast_until_Redis_answers()
    {
        // A port that accepts connections and never answers: the Redis handshake hangs until connectTimeout.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        using var store = RedisSessionStore.Connect($"127.0.0.1:{port},connectTimeout=30000");
        Assert.Null(store.Connection);   // returned at once: the first attempt is still under way

        var options = new SatchelOptions();
        options.Secrets.Add(RedisSetup.Secret);
        using var manager = new SessionManager(options, store);
        var browser = new CookieJar(manager);
        var ex = await Assert.ThrowsAsync<SessionStoreException>(() => browser.RequestAsync(s => s["a"] = "1"));
        Assert.Contains("first connection", ex.Message, StringComparison.Ordinal);
        Assert.Null(store.Connection);   // the request did not wait for the connection either
    }

    [Fact]
    public async Task The_total_session_size_limit_holds_on_Redis_too()
    {
        using var setup = new RedisSetup(redis.Server.Endpoint, o => o.MaxSessionBytes = 100 * 1024);
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = new string('x', 60 * 1024));
        await Assert.ThrowsAsync<SessionLimitExceededException>(() => browser.RequestAsync(s => s["b"] = new string('x', 60 * 1024)));
        Assert.Equal(["a"], await browser.RequestAsync(s => s.Keys.ToArray()));
    }

    [Theory]
    [InlineData("Satchel:Redis:Configuration")]
    [InlineData("ConnectionStrings:Redis")]
    public async Task UseRedis_takes_the_connection_and_store_settings_from_configuration(string key)
    {
        var prefix = $"t{Guid.NewGuid():N}:";
        await using var provider = Services(new() { [key] = redis.Server.Endpoint, ["Satchel:Redis:KeyPrefix"] = prefix }, b => b.UseRedis());
        var store = (RedisSessionStore)provider.GetRequiredService<ISessionStore>();
        await RedisReady.WaitAsync(store);
        var browser = new CookieJar(provider.GetRequiredService<SessionManager>());
        await browser.RequestAsync(s => s["a"] = "1");
        Assert.Equal("1", await browser.RequestAsync(s => s["a"]));
        Assert.NotEmpty(store.Connection!.GetServers()[0].Keys(pattern: prefix + "*"));
    }

    [Fact]
    public async Task UseRedis_without_a_connection_anywhere_says_what_to_set()
    {
        // Seen: UseRedis(null) said "Value cannot be null. (Parameter 'configuration')".
        await using var provider = Services([], b => b.UseRedis((string?)null));
        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ISessionStore>());
        Assert.Contains("Satchel:Redis:Configuration", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Satchel__Redis__Configuration", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:Redis", ex.Message, StringComparison.Ordinal);
        Assert.Contains("UseRedis(\"127.0.0.1:6379\")", ex.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings, Action<SatchelBuilder> store)
    {
        var services = new ServiceCollection();
        settings["Satchel:Secrets:0"] = RedisSetup.Secret;
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        store(services.AddSatchel());
        return services.BuildServiceProvider();
    }
}
