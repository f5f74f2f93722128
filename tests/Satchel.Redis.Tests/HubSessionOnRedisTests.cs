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

    [Fact]
    public async Task Signing_out_on_one_app_process_closes_the_live_connection_on_another()
    {
        var prefix = $"hub{Guid.NewGuid():N}:";
        Task<SatchelApp> Start() => SatchelApp.StartAsync(
            a =>
            {
                a.MapGet("/set/{key}/{value}", (string key, string value, Session s) => s[key] = value);
                a.MapGet("/logout", (Session s) => s.Destroy());
                a.MapHub<CartHub>("/hub");
            },
            store: b => b.UseRedis(redis.Server.Endpoint, o => o.KeyPrefix = prefix),
            setup: b => b.Services.AddSignalR().AddSatchel());
        await using var one = await Start();
        await using var two = await Start();
        await RedisReady.WaitAsync(one.Services.GetRequiredService<ISessionStore>());
        await RedisReady.WaitAsync(two.Services.GetRequiredService<ISessionStore>());
        var cookies = new CookieContainer();
        using var viaOne = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = one.BaseAddress };
        await viaOne.GetStringAsync("/set/cart/book");
        await using var liveOnTwo = new HubConnectionBuilder()
            .WithUrl(new Uri(two.BaseAddress, "hub"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.Headers["Cookie"] = cookies.GetCookieHeader(one.BaseAddress);
            })
            .Build();
        await liveOnTwo.StartAsync();
        await liveOnTwo.InvokeAsync("Set", "note", "live");
        // Evidence, not time: app two's process has subscribed to the notices before anyone signs out.
        await using (var observer = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Server.Endpoint))
        {
            var server = observer.GetServer(observer.GetEndPoints()[0]);
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (await server.SubscriptionSubscriberCountAsync(StackExchange.Redis.RedisChannel.Literal(prefix + "ended")) < 1)
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "app two never subscribed to ended sessions");
                await Task.Delay(10);
            }
        }
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        liveOnTwo.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };

        await viaOne.GetStringAsync("/logout");

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30));   // evidence: the notice crossed over Redis
        Assert.Contains(two.Logs.Lines, l => l.EventId.Id == 406);
    }
}
