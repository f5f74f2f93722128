using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Satchel.Redis.Tests.Support;
using Satchel.AspNetCore.Tests.Support;

namespace Satchel.Redis.Tests;

/// <summary>Each test here has a redis-server of its own, since it stops it.</summary>
public class RedisFaultTests
{
    private static async Task<SatchelApp> StartAppAsync(RedisServer server)
    {
        var app = await SatchelApp.StartAsync(
            app =>
            {
                app.MapGet("/write/{i:int}", (int i, Session s) => s.Set($"key{i}", i));
                app.MapGet("/keys", (Session s) => s.Keys.Count);
                app.MapHealthChecks("/health");
            },
            store: b => b.UseRedis($"{server.Endpoint},connectTimeout=1000,asyncTimeout=1000,syncTimeout=1000,connectRetry=1"),
            setup: b => b.Services.AddHealthChecks().AddSatchelRedis().AddSatchelStore());
        await RedisReady.WaitAsync(app.Services.GetRequiredService<ISessionStore>());
        return app;
    }

    [Fact]
    public async Task Redis_down_fails_requests_fast_with_503_and_back_up_serves_every_acknowledged_write()
    {
        using var server = new RedisServer();
        await using var app = await StartAppAsync(server);
        using var browser = app.NewBrowser();
        var logs = app.Logs;

        for (var i = 0; i < 20; i++) Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/write/{i}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/health")).StatusCode);

        server.Kill();
        for (var i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            var response = await browser.GetAsync("/keys");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed} with a 1 s I/O timeout");
        }
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await browser.GetAsync("/health")).StatusCode);
        Assert.Contains(logs.At(LogLevel.Error), l => l.Message.Contains("RedisSessionStore", StringComparison.Ordinal) && l.Exception is not null);

        server.Start();   // same port, same folder: the append-only file brings the data back
        var waited = Stopwatch.StartNew();
        HttpResponseMessage keys;
        while ((keys = await browser.GetAsync("/keys")).StatusCode != HttpStatusCode.OK && waited.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(200);
        Assert.Equal(HttpStatusCode.OK, keys.StatusCode);
        Assert.Equal("20", await keys.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/write/20")).StatusCode);
        Assert.Equal("21", await browser.GetStringAsync("/keys"));
    }

    [Fact]
    public async Task The_store_health_check_of_an_IDistributedCache_on_Redis_follows_the_server_down_and_back()
    {
        using var server = new RedisServer();
        await using var app = await SatchelApp.StartAsync(
            a =>
            {
                a.MapGet("/write", (Session s) => s["a"] = "1");
                a.MapHealthChecks("/health");
            },
            store: b => b.UseDistributedCache(),
            setup: b =>
            {
                b.Services.AddStackExchangeRedisCache(o => o.Configuration = $"{server.Endpoint},connectTimeout=1000,asyncTimeout=1000,syncTimeout=1000,connectRetry=1");
                b.Services.AddHealthChecks().AddSatchelStore();
            });
        using var browser = app.NewBrowser();
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/write")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/health")).StatusCode);

        server.Kill();
        var down = await browser.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);

        server.Start();
        // The cache's multiplexer reconnects in the background; the check turns healthy once it has.
        var waited = Stopwatch.StartNew();
        HttpResponseMessage health;
        while ((health = await browser.GetAsync("/health")).StatusCode != HttpStatusCode.OK && waited.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(200);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
