using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Satchel.AspNetCore.Tests.Support;
using Satchel.Redis.Tests.Support;

namespace Satchel.Redis.Tests;

/// <summary>
/// Code written for ASP.NET Core's session reads <c>HttpContext.Session</c> without <c>LoadAsync</c>,
/// so each read would block its thread on the load, and on Linux the reply needs another pool
/// thread: 32 such requests at once starved each other into timeouts (Satchel: 503s; ASP.NET
/// Core's session: empty sessions). <see cref="SatchelOptions.LoadBeforeEndpoint"/> loads every
/// request's session before its endpoint, without blocking.
/// </summary>
[Collection("redis")]
public class SynchronousReadTests(RedisFixture redis)
{
    // Short I/O timeouts: a load left waiting for the pool fails in seconds, not in five.
    private string Configuration => $"{redis.Server.Endpoint},syncTimeout=2000,asyncTimeout=2000";

    [Theory]
    [InlineData("redis")]
    [InlineData("distributed cache")]
    public async Task With_LoadBeforeEndpoint_thirty_two_browsers_reading_HttpContext_Session_without_LoadAsync_at_once_are_all_served(string kind)
    {
        var prefix = $"sync{Guid.NewGuid():N}:";
        await using var app = await SatchelApp.StartAsync(
            a =>
            {
                a.MapGet("/write/{i:int}", (int i, Session s) => s["n"] = i.ToString(CultureInfo.InvariantCulture));
                a.MapGet("/read", (HttpContext http) => http.Session.GetString("n") ?? "none");
            },
            o => o.LoadBeforeEndpoint = true,
            store: b =>
            {
                if (kind == "redis") b.UseRedis(Configuration, o => o.KeyPrefix = prefix);
                else b.UseDistributedCache();
            },
            setup: b =>
            {
                if (kind != "redis") b.Services.AddStackExchangeRedisCache(o => { o.Configuration = Configuration; o.InstanceName = prefix; });
            });
        if (kind == "redis") await RedisReady.WaitAsync(app.Services.GetRequiredService<ISessionStore>());
        var browsers = Enumerable.Range(0, 32).Select(_ => app.NewBrowser()).ToArray();
        for (var i = 0; i < browsers.Length; i++) Assert.Equal(HttpStatusCode.OK, (await browsers[i].GetAsync($"/write/{i}")).StatusCode);

        for (var round = 0; round < 3; round++)
        {
            var answers = await Task.WhenAll(browsers.Select(async b =>
            {
                using var response = await b.GetAsync("/read");
                return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }));
            Assert.Equal(Enumerable.Range(0, browsers.Length).Select(i => $"200 {i}"), answers);
        }
        // No read blocked a thread on a load (Satchel warns of each one that did).
        Assert.DoesNotContain(app.Logs.Lines, l => l.EventId.Id == 6);
        foreach (var browser in browsers) browser.Dispose();
    }
}
