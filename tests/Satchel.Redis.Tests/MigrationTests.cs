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

    private Task<SatchelApp> StartSwitchedAppAsync() => SatchelApp.StartAsync(
        app => app.MapGet("/whoami", (HttpContext http, Session session) =>
        {
            var visits = (http.Session.GetInt32("visits") ?? 0) + 1;
            http.Session.SetInt32("visits", visits);
            var raw = http.Session.Get("raw") is { } bytes ? Convert.ToHexStringLower(bytes) : "";
            return $"{http.Session.GetString("user")}, {visits} visits, {raw}, Satchel: {session.Get<string>("user")}";
        }),
        setup: builder => ShareWithOldApp(builder.Services),
        store: satchel => satchel.UseRedis(redis.Server.Endpoint, o => o.KeyPrefix = $"m{Guid.NewGuid():N}:").ImportAspNetCoreSessions());

    private sealed record OldApp(WebApplication App, Uri Address) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }
}
