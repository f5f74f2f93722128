using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Satchel.AspNetCore.Tests.Support;
using Satchel.Redis.Tests.Support;

namespace Satchel.Redis.Tests;

/// <summary>Hub invocations and HTTP requests of one browser writing one Redis-stored session at once.</summary>
[Collection("redis")]
public sealed class HubSessionOnRedisTests(RedisFixture redis)
{
    public sealed class CartHub : Hub
    {
        public void Set(string key, string value) => Context.GetSession()[key] = value;
    }

    [Fact]
    public async Task Twenty_hub_writes_and_twenty_HTTP_writes_at_once_are_all_kept_on_Redis()
    {
        var prefix = $"hub{Guid.NewGuid():N}:";
        await using var app = await SatchelApp.StartAsync(
            a =>
            {
                a.MapGet("/set/{key}/{value}", (string key, string value, Session s) => s[key] = value);
                a.MapGet("/keys", (Session s) => string.Join(",", s.Keys.Order(StringComparer.Ordinal)));
                a.MapHub<CartHub>("/hub");
            },
            store: b => b.UseRedis(redis.Server.Endpoint, o => o.KeyPrefix = prefix),
            setup: b => b.Services.AddSignalR().AddSatchel());
        await RedisReady.WaitAsync(app.Services.GetRequiredService<ISessionStore>());
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = app.BaseAddress };
        await http.GetStringAsync("/set/cart/book");
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(app.BaseAddress, "hub"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.Headers["Cookie"] = cookies.GetCookieHeader(app.BaseAddress);
            })
            .Build();
        await hub.StartAsync();

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => i % 2 == 0
            ? hub.InvokeAsync("Set", $"k{i:00}", "hub")
            : http.GetStringAsync($"/set/k{i:00}/http")));

        var expected = Enumerable.Range(0, 40).Select(i => $"k{i:00}").Append("cart").Order(StringComparer.Ordinal);
        Assert.Equal(expected, (await http.GetStringAsync("/keys")).Split(','));
    }
}
