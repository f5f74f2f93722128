using System.Net;
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
}
