using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Satchel.AspNetCore.Tests.Support;
using Satchel.Redis.Tests.Support;

namespace Satchel.Redis.Tests;

/// <summary>
/// Switching an app from ASP.NET Core session to Satchel signs nobody out: two real apps on
/// Kestrel share a Redis and Data Protection keys; the old one writes the session with
/// AddSession/UseSession, the switched one reads it through Satchel.
/// </summary>
[Collection("redis")]
public sealed class MigrationTests(RedisFixture redis) : IDisposable
{
    private readonly DirectoryInfo _keys = Directory.CreateTempSubdirectory("satchel-dp-");

    [Fact]
    public async Task A_live_ASP_NET_Core_session_carries_over_with_its_values_and_the_old_cookie_is_expired()
    {
        await using var before = await StartAspNetSessionAppAsync();
        await using var after = await StartSwitchedAppAsync();
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies });

        Assert.Equal("signed in", await browser.GetStringAsync(new Uri(before.Address, "/login")));
        Assert.Single(cookies.GetAllCookies(), c => c.Name == ".AspNetCore.Session");

        // The deploy: the same browser now talks to the Satchel app.
        var first = await browser.GetAsync(new Uri(after.BaseAddress, "/whoami"));
        Assert.Equal("ann, 8 visits, ff00, Satchel: ann", await first.Content.ReadAsStringAsync());
        var setCookies = first.Headers.GetValues("Set-Cookie").ToList();
        Assert.Contains(setCookies, c => c.StartsWith("sid=", StringComparison.Ordinal));
        Assert.Contains(setCookies, c => c.StartsWith(".AspNetCore.Session=;", StringComparison.Ordinal) && c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(cookies.GetAllCookies(), c => c.Name == ".AspNetCore.Session");

        // From now on the session is Satchel's alone, and ISession code keeps working on it.
        Assert.Equal("ann, 9 visits, ff00, Satchel: ann", await browser.GetStringAsync(new Uri(after.BaseAddress, "/whoami")));
        Assert.Contains("Imported 3 values", after.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_or_unknown_ASP_NET_Core_cookie_imports_nothing_and_is_no_error()
    {
        await using var after = await StartSwitchedAppAsync();
        using var raw = new HttpClient(new HttpClientHandler { UseCookies = false });
        foreach (var value in new[] { "garbage", "CfDJ8" + new string('A', 120), "%%%" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(after.BaseAddress, "/whoami"));
            request.Headers.Add("Cookie", ".AspNetCore.Session=" + value);
            var response = await raw.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(", 1 visits, , Satchel: ", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Parallel_first_requests_with_the_old_cookie_carry_it_over_into_one_session()
    {
        // Seen: five parallel first requests with the old cookie made five Satchel sessions (one kept, four orphans).
        await using var before = await StartAspNetSessionAppAsync();
        var prefix = $"m{Guid.NewGuid():N}:";
        await using var after = await StartSwitchedAppAsync(prefix);
        var cookies = new CookieContainer();
        using (var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }))
            Assert.Equal("signed in", await browser.GetStringAsync(new Uri(before.Address, "/login")));
        var old = cookies.GetAllCookies().Single(c => c.Name == ".AspNetCore.Session").Value;

        using var raw = new HttpClient(new HttpClientHandler { UseCookies = false });
        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(after.BaseAddress, "/whoami"));
            request.Headers.Add("Cookie", ".AspNetCore.Session=" + old);
            using var response = await raw.SendAsync(request);
            var sid = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sid=", StringComparison.Ordinal)).Split(';')[0];
            return (Body: await response.Content.ReadAsStringAsync(), Sid: sid);
        }));

        // Each request counts a visit in the one imported session (7 before the deploy); one that
        // loads after another committed sees that visit too, so the count is 8 to 12, never 1.
        Assert.All(responses, r => Assert.Matches("^ann, (8|9|10|11|12) visits, ff00, Satchel: ann$", r.Body));
        Assert.Single(responses.Select(r => r.Sid).Distinct());
        var server = redis.Server.Endpoint;
        using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(server);
        Assert.Single(connection.GetServers()[0].Keys(pattern: prefix + "s:*"));
        Assert.Single(after.Logs.Lines, l => l.EventId.Id == 401);
    }

    [Fact]
    public async Task An_old_cookie_whose_entry_is_gone_is_said_once_as_sessions_that_cannot_be_carried_over()
    {
        // The old app on AddDistributedMemoryCache (ASP.NET Core's default) loses its entries with its
        // process: the cookie still unprotects, but nothing is there to import.
        await using var before = await StartAspNetSessionAppAsync();
        await using var after = await StartSwitchedAppAsync();
        var cookies = new CookieContainer();
        using (var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }))
            Assert.Equal("signed in", await browser.GetStringAsync(new Uri(before.Address, "/login")));
        var old = cookies.GetAllCookies().Single(c => c.Name == ".AspNetCore.Session").Value;
        using (var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"{redis.Server.Endpoint},allowAdmin=true"))
        {
            foreach (var key in connection.GetServers()[0].Keys(pattern: "shop:*")) await connection.GetDatabase().KeyDeleteAsync(key);
        }

        using var raw = new HttpClient(new HttpClientHandler { UseCookies = false });
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(after.BaseAddress, "/whoami"));
            request.Headers.Add("Cookie", ".AspNetCore.Session=" + old);
            Assert.Equal(", 1 visits, , Satchel: ", await (await raw.SendAsync(request)).Content.ReadAsStringAsync());
        }
        var said = Assert.Single(after.Logs.Lines, l => l.EventId.Id == 405);
        Assert.Contains("AddDistributedMemoryCache", said.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _keys.Delete(recursive: true);

    private void ShareWithOldApp(IServiceCollection services)
    {
        services.AddDataProtection().PersistKeysToFileSystem(_keys).SetApplicationName("shop");
        services.AddStackExchangeRedisCache(o =>
        {
            o.Configuration = redis.Server.Endpoint;
            o.InstanceName = "shop:";
        });
    }

    private async Task<OldApp> StartAspNetSessionAppAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        ShareWithOldApp(builder.Services);
        builder.Services.AddSession();
        var app = builder.Build();
        app.UseSession();
        app.MapGet("/login", (HttpContext http) =>
        {
            http.Session.SetString("user", "ann");
            http.Session.SetInt32("visits", 7);
            http.Session.Set("raw", [0xff, 0x00]);
            return "signed in";
        });
        await app.StartAsync();
        return new OldApp(app, new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()));
    }

    private Task<SatchelApp> StartSwitchedAppAsync(string? prefix = null) => SatchelApp.StartAsync(
        app => app.MapGet("/whoami", (HttpContext http, Session session) =>
        {
            var visits = (http.Session.GetInt32("visits") ?? 0) + 1;
            http.Session.SetInt32("visits", visits);
            var raw = http.Session.Get("raw") is { } bytes ? Convert.ToHexStringLower(bytes) : "";
            return $"{http.Session.GetString("user")}, {visits} visits, {raw}, Satchel: {session.Get<string>("user")}";
        }),
        setup: builder => ShareWithOldApp(builder.Services),
        store: satchel => satchel.UseRedis(redis.Server.Endpoint, o => o.KeyPrefix = prefix ?? $"m{Guid.NewGuid():N}:").ImportAspNetCoreSessions());

    private sealed record OldApp(WebApplication App, Uri Address) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }
}
