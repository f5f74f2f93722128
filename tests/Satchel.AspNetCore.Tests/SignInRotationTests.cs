using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Satchel.AspNetCore.Tests.Support;

namespace Satchel.AspNetCore.Tests;

/// <summary>
/// RegenerateOnSignIn through real ASP.NET Core cookie authentication on TestHost: SignInAsync
/// rotates the session token (session fixation, Passport's CVE-2022-25896), SignOutAsync destroys
/// the session, and the app's own sign-in handler already sees the new session.
/// </summary>
public sealed class SignInRotationTests
{
    private static Task<SatchelApp> StartAsync(bool rotate = true, Action<CookieAuthenticationOptions>? cookie = null) => SatchelApp.StartAsync(
        a =>
        {
            a.MapGet("/cart/add", (Session s) => s["cart"] = "book");
            a.MapGet("/cart", (Session s) => s["cart"] ?? "(empty)");
            a.MapGet("/id", (Session s) => s.Id);
            a.MapGet("/login", async (HttpContext c) =>
            {
                await c.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "ann")], "password")));
                return c.GetSession().Id;
            });
            a.MapGet("/logout", (HttpContext c) => c.SignOutAsync());
        },
        aspNetCore: o => o.RegenerateOnSignIn = rotate,
        setup: b => b.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o => cookie?.Invoke(o)),
        testServer: true);

    [Fact]
    public async Task Signing_in_rotates_the_session_token_keeps_the_values_and_kills_the_old_token()
    {
        await using var app = await StartAsync();
        using var client = app.NewRawClient();
        var browser = new Browser(client);
        await browser.GetAsync("/cart/add");
        var beforeLogin = browser.Cookies["sid"];
        var idBefore = await browser.GetStringAsync("/id");

        var idAtLogin = await browser.GetStringAsync("/login");
        Assert.True(browser.Cookies.ContainsKey(".AspNetCore.Cookies"));
        Assert.NotEqual(beforeLogin, browser.Cookies["sid"]);
        Assert.NotEqual(idBefore, idAtLogin);
        Assert.Equal(idAtLogin, await browser.GetStringAsync("/id"));
        Assert.Equal("book", await browser.GetStringAsync("/cart"));

        // The token an attacker planted or copied before the sign-in is worth nothing now.
        var fixation = new Browser(client);
        fixation.Cookies["sid"] = beforeLogin;
        Assert.Equal("(empty)", await fixation.GetStringAsync("/cart"));
    }

    [Fact]
    public async Task Signing_out_destroys_the_session_and_expires_its_cookie()
    {
        await using var app = await StartAsync();
        using var client = app.NewRawClient();
        var browser = new Browser(client);
        await browser.GetAsync("/cart/add");
        await browser.GetAsync("/login");
        var signedIn = browser.Cookies["sid"];

        var response = await browser.GetAsync("/logout");
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("sid=;", StringComparison.Ordinal) && c.Contains("max-age=0", StringComparison.OrdinalIgnoreCase));
        Assert.False(browser.Cookies.ContainsKey("sid"));
        Assert.Equal("(empty)", await browser.GetStringAsync("/cart"));
        var replay = new Browser(client);
        replay.Cookies["sid"] = signedIn;
        Assert.Equal("(empty)", await replay.GetStringAsync("/cart"));
    }

    [Fact]
    public async Task The_apps_own_signing_in_handler_runs_after_the_rotation_and_sees_the_new_session()
    {
        string? seenBySignIn = null;
        await using var app = await StartAsync(cookie: o => o.Events.OnSigningIn = c =>
        {
            var session = c.HttpContext.GetSession();
            session.UserId = c.Principal!.Identity!.Name;
            seenBySignIn = session.Id;
            return Task.CompletedTask;
        });
        using var client = app.NewRawClient();
        var browser = new Browser(client);
        await browser.GetAsync("/cart/add");
        var idAtLogin = await browser.GetStringAsync("/login");
        Assert.Equal(idAtLogin, seenBySignIn);
        var sessions = await app.Services.GetRequiredService<SessionAdmin>().ListAsync("ann");
        Assert.Equal(idAtLogin, Assert.Single(sessions).Id);
    }

    [Fact]
    public async Task With_RegenerateOnSignIn_off_the_token_stays()
    {
        await using var app = await StartAsync(rotate: false);
        using var client = app.NewRawClient();
        var browser = new Browser(client);
        await browser.GetAsync("/cart/add");
        var beforeLogin = browser.Cookies["sid"];
        await browser.GetAsync("/login");
        Assert.Equal(beforeLogin, browser.Cookies["sid"]);
    }

    [Fact]
    public async Task A_scheme_whose_events_come_from_DI_is_reported_at_startup_since_it_cannot_be_hooked()
    {
        await using var app = await SatchelApp.StartAsync(
            a => a.MapGet("/", () => "ok"),
            setup: b =>
            {
                b.Services.AddScoped<CookieAuthenticationEvents>();
                b.Services.AddAuthentication().AddCookie("Identity.Application", o => o.EventsType = typeof(CookieAuthenticationEvents));
            },
            testServer: true);
        var warning = Assert.Single(app.Logs.At(LogLevel.Warning), l => l.EventId.Id == 505);
        Assert.Contains("Identity.Application", warning.Message, StringComparison.Ordinal);
    }

    /// <summary>A browser over a raw client, its cookies in plain view.</summary>
    private sealed class Browser(HttpClient client)
    {
        public Dictionary<string, string> Cookies { get; } = new(StringComparer.Ordinal);

        public async Task<HttpResponseMessage> GetAsync(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
            if (Cookies.Count > 0) request.Headers.Add("Cookie", string.Join("; ", Cookies.Select(c => $"{c.Key}={c.Value}")));
            var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            {
                foreach (var setCookie in setCookies)
                {
                    var pair = setCookie.Split(';')[0].Split('=', 2);
                    if (setCookie.Contains("max-age=0", StringComparison.OrdinalIgnoreCase) || setCookie.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)) Cookies.Remove(pair[0]);
                    else Cookies[pair[0]] = pair[1];
                }
            }
            return response;
        }

        public async Task<string> GetStringAsync(string path) => await (await GetAsync(path)).Content.ReadAsStringAsync();
    }
}
