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
/// Core's session: empty sessions). Satchel loads an endpoint's session first, with await, once
/// it has seen the endpoint read it unloaded; <see cref="SatchelAspNetCoreOptions.LoadBeforeEndpoint"/>
/// does so for every endpoint from the first request.
/// </summary>
[Collection("redis")]
public class SynchronousReadTests(RedisFixture redis)
{
    // Short I/O timeouts: a load left waiting for the pool fails in seconds, not in five.
    private string Configuration => $"{redis.Server.Endpoint},syncTimeout=2000,asyncTimeout=2000";

    [Theory]
    [InlineData("redis", false)]
    [InlineData("redis", true)]
    [InlineData("distributed cache", false)]
    [InlineData("distributed cache", true)]
    public async Task Thirty_two_browsers_reading_HttpContext_Session_without_LoadAsync_at_once_are_all_served(string kind, bool loadBeforeEndpoint)
    {
        var prefix = $"sync{Guid.NewGuid():N}:";
        await using var app = await SatchelApp.StartAsync(
            a =>
            {
                a.MapGet("/write/{i:int}", (int i, Session s) => s["n"] = i.ToString(CultureInfo.InvariantCulture));
                a.MapGet("/read", (HttpContext http) => http.Session.GetString("n") ?? "none");
            },
            aspNetCore: o => o.LoadBeforeEndpoint = loadBeforeEndpoint,
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
        // One request alone first: it reads the session unloaded (a thread waits, and Satchel warns)
        // unless every endpoint loads first; either way the endpoint loads first from then on.
        Assert.Equal("0", await browsers[0].GetStringAsync("/read"));
        Assert.Equal(loadBeforeEndpoint ? 0 : 1, app.Logs.Lines.Count(l => l.EventId.Id == 6));

        for (var round = 0; round < 3; round++)
        {
            var answers = await Task.WhenAll(browsers.Select(async b =>
            {
                using var response = await b.GetAsync("/read");
                return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }));
            Assert.Equal(Enumerable.Range(0, browsers.Length).Select(i => $"200 {i}"), answers);
        }
        // None of them blocked a thread on a load (Satchel warns of each one that did).
        Assert.Equal(loadBeforeEndpoint ? 0 : 1, app.Logs.Lines.Count(l => l.EventId.Id == 6));
        foreach (var browser in browsers) browser.Dispose();
    }
}
