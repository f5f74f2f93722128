using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Satchel.AspNetCore.Tests.Support;
using Satchel.Tests.Support;

namespace Satchel.AspNetCore.Tests;

public class MiddlewareTests
{
    private static void NodeSessionEndpoints(WebApplication app)
    {
        app.MapGet("/", (Session session) =>
        {
            var visits = session.Get<int>("visits") + 1;
            session.Set("visits", visits);
            var value = session["testValue"];
            session["testValue"] = "A session variable";
            return value is null ? $"reload the page ({visits})" : $"{value} ({visits})";
        });
        app.MapGet("/peek", (HttpContext http) => http.GetSession()["testValue"] ?? "none");
    }

    [Fact]
    public async Task A_Session_parameter_in_a_minimal_API_keeps_values_across_requests()
    {
        await using var app = await SatchelApp.StartAsync(NodeSessionEndpoints);
        using var browser = app.NewBrowser();
        Assert.Equal("reload the page (1)", await browser.GetStringAsync("/"));
        Assert.Equal("A session variable (2)", await browser.GetStringAsync("/"));
        Assert.Equal("A session variable (3)", await browser.GetStringAsync("/"));
        Assert.Equal("A session variable", await browser.GetStringAsync("/peek"));

        using var otherBrowser = app.NewBrowser();
        Assert.Equal("reload the page (1)", await otherBrowser.GetStringAsync("/"));
    }

    [Fact]
    public async Task Every_response_that_sets_the_cookie_carries_Vary_Cookie_no_store_and_the_default_attributes()
    {
        await using var app = await SatchelApp.StartAsync(NodeSessionEndpoints);
        using var browser = app.NewBrowser();
        var response = await browser.GetAsync("/");
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Matches("^sid=[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax$", cookie);
        Assert.Contains("Cookie", response.Headers.Vary);
        Assert.True(response.Headers.CacheControl!.NoStore);
    }

    [Fact]
    public async Task No_cookie_goes_out_while_the_session_holds_nothing()
    {
        await using var app = await SatchelApp.StartAsync(NodeSessionEndpoints);
        using var browser = app.NewBrowser();
        var response = await browser.GetAsync("/peek");
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Equal(0, app.Memory!.Count);
    }

    [Fact]
    public async Task Over_https_the_cookie_is_Secure_and_the_Always_option_makes_it_Secure_over_http()
    {
        await using (var https = await SatchelApp.StartAsync(NodeSessionEndpoints, testServer: true))
        {
            using var browser = https.NewBrowser();
            var response = await browser.GetAsync("/");
            Assert.Contains("; Secure", Assert.Single(response.Headers.GetValues("Set-Cookie")), StringComparison.Ordinal);
            Assert.Equal("A session variable (2)", await browser.GetStringAsync("/"));
        }
        await using var always = await SatchelApp.StartAsync(NodeSessionEndpoints, o => o.Cookie.Secure = SessionCookieSecurePolicy.Always);
        using var client = always.NewRawClient();
        var plain = await client.GetAsync("/");
        Assert.Contains("; Secure", Assert.Single(plain.Headers.GetValues("Set-Cookie")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_commit_happens_before_the_response_starts()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await SatchelApp.StartAsync(a =>
        {
            a.MapGet("/slow", async (HttpContext http, Session session) =>
            {
                session["written"] = "before the headers";
                await http.Response.StartAsync();   // headers go out now; the body later
                await http.Response.Body.FlushAsync();
                await release.Task;
                await http.Response.WriteAsync("done");
            });
            a.MapGet("/read", (Session session) => session["written"] ?? "missing");
        });
        using var browser = app.NewBrowser();
        using var slow = await browser.GetAsync("/slow", HttpCompletionOption.ResponseHeadersRead);
        // The first response has not finished, yet its session is already saved.
        var cookie = slow.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        using var second = app.NewRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/read");
        request.Headers.Add("Cookie", cookie);
        Assert.Equal("before the headers", await (await second.SendAsync(request)).Content.ReadAsStringAsync());
        release.SetResult();
        Assert.Equal("done", await slow.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_write_after_the_response_started_throws_a_clear_exception_instead_of_vanishing()
    {
        string? error = null;
        await using var app = await SatchelApp.StartAsync(a => a.MapGet("/late", async (HttpContext http, Session session) =>
        {
            session["early"] = "1";
            await http.Response.WriteAsync("body first");
            try
            {
                session["late"] = "2";
            }
            catch (InvalidOperationException ex)
            {
                error = ex.Message;
            }
        }));
        using var browser = app.NewBrowser();
        Assert.Equal("body first", await browser.GetStringAsync("/late"));
        Assert.NotNull(error);
        Assert.Contains("before writing the response body", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Twenty_parallel_requests_of_one_browser_each_setting_its_own_key_leave_all_twenty()
    {
        var loaded = 0;
        var allLoaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await SatchelApp.StartAsync(a =>
        {
            a.MapGet("/start", (Session s) => s["start"] = "1");
            a.MapGet("/set/{i:int}", async (int i, Session s) =>
            {
                _ = s["start"];
                if (Interlocked.Increment(ref loaded) == 20) allLoaded.SetResult();
                await allLoaded.Task.WaitAsync(TimeSpan.FromSeconds(30));   // every request has loaded before any commits
                s.Set($"key{i}", i);
            });
            a.MapGet("/count", (Session s) => s.Keys.Count(k => k.StartsWith("key", StringComparison.Ordinal)));
        });
        using var browser = app.NewBrowser();
        await browser.GetStringAsync("/start");
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => browser.GetStringAsync($"/set/{i}")));
        Assert.Equal("20", await browser.GetStringAsync("/count"));
    }

    [Fact]
    public async Task A_thousand_requests_with_random_cookies_create_no_records_and_no_server_errors()
    {
        await using var app = await SatchelApp.StartAsync(NodeSessionEndpoints, store: b => b.UseStore(_ => new CountingStore(new MemorySessionStore())));
        using var client = app.NewRawClient();
        var random = new Random(1);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 1000; i++)
        {
            var bytes = new byte[random.Next(1, 120)];
            random.NextBytes(bytes);
            var value = (i % 3) switch
            {
                0 => Convert.ToBase64String(bytes),
                1 => Uri.EscapeDataString(Encoding.Latin1.GetString(bytes)),
                _ => string.Concat(Enumerable.Repeat("A", 43)) + "." + string.Concat(Enumerable.Repeat("B", 43)),
            };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/peek");
            request.Headers.TryAddWithoutValidation("Cookie", $"sid={value}; sid={value}x");
            statuses.Add((await client.SendAsync(request)).StatusCode);
        }
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        var store = (CountingStore)app.Services.GetRequiredService<ISessionStore>();
        Assert.Equal(0, store.Commits);
        Assert.Equal(0, ((MemorySessionStore)store.Inner).Count);
    }

    [Fact]
    public async Task Sign_in_regenerates_the_token_and_sign_out_expires_the_cookie_and_kills_the_record()
    {
        await using var app = await SatchelApp.StartAsync(a =>
        {
            a.MapGet("/cart", (Session s) => s["cart"] = "2 books");
            a.MapGet("/login", async (Session s) => { await s.RegenerateAsync(); s.UserId = "ann"; return s["cart"]; });
            a.MapGet("/me", (Session s) => s.UserId ?? "anonymous");
            a.MapGet("/logout", (Session s) => s.Destroy());
        });
        using var browser = app.NewBrowser();
        var before = (await browser.GetAsync("/cart")).Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        var login = await browser.GetAsync("/login");
        Assert.Equal("2 books", await login.Content.ReadAsStringAsync());
        var after = login.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        Assert.NotEqual(before, after);
        Assert.Equal("ann", await browser.GetStringAsync("/me"));

        using var attacker = app.NewRawClient();
        Assert.Equal("anonymous", await SendWithCookie(attacker, "/me", before));

        var logout = await browser.GetAsync("/logout");
        Assert.Contains("Max-Age=0", logout.Headers.GetValues("Set-Cookie").Single(), StringComparison.Ordinal);
        Assert.Equal("anonymous", await browser.GetStringAsync("/me"));
        Assert.Equal("anonymous", await SendWithCookie(attacker, "/me", after));
        Assert.Equal(0, app.Memory!.Count);
    }

    [Fact]
    public async Task Remember_me_sends_a_persistent_cookie()
    {
        await using var app = await SatchelApp.StartAsync(a => a.MapGet("/remember", (Session s) => s.RememberMe(TimeSpan.FromDays(14))));
        using var browser = app.NewBrowser();
        var cookie = (await browser.GetAsync("/remember")).Headers.GetValues("Set-Cookie").Single();
        Assert.Contains($"Max-Age={(int)TimeSpan.FromDays(14).TotalSeconds}", cookie, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_out_everywhere_else_through_SessionAdmin()
    {
        await using var app = await SatchelApp.StartAsync(a =>
        {
            a.MapGet("/login", async (Session s) => { await s.RegenerateAsync(); s.UserId = "ann"; });
            a.MapGet("/me", (Session s) => s.UserId ?? "anonymous");
            a.MapGet("/others/revoke", async (Session s, SessionAdmin admin) => await admin.RevokeAllAsync(s.UserId!, exceptSessionId: s.Id));
            a.MapGet("/list", async (Session s, SessionAdmin admin) => (await admin.ListAsync(s.UserId!)).Count);
        });
        var browsers = Enumerable.Range(0, 3).Select(_ => app.NewBrowser()).ToArray();
        foreach (var b in browsers) await b.GetStringAsync("/login");
        Assert.Equal("3", await browsers[0].GetStringAsync("/list"));
        Assert.Equal("2", await browsers[0].GetStringAsync("/others/revoke"));
        Assert.Equal("ann", await browsers[0].GetStringAsync("/me"));
        Assert.Equal("anonymous", await browsers[1].GetStringAsync("/me"));
        Assert.Equal("anonymous", await browsers[2].GetStringAsync("/me"));
        foreach (var b in browsers) b.Dispose();
    }

    [Fact]
    public async Task A_token_in_the_query_string_or_a_form_field_is_ignored_and_never_echoed()
    {
        await using var app = await SatchelApp.StartAsync(a =>
        {
            a.MapGet("/set", (Session s) => s["secret"] = "mine");
            a.MapGet("/read", (Session s) => s["secret"] ?? "none");
            a.MapPost("/read", (Session s) => s["secret"] ?? "none").DisableAntiforgery();
        });
        using var browser = app.NewBrowser();
        var cookie = (await browser.GetAsync("/set")).Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        var value = cookie["sid=".Length..];

        using var attacker = app.NewRawClient();
        var viaQuery = await attacker.GetAsync($"/read?sid={Uri.EscapeDataString(value)}");
        Assert.Equal("none", await viaQuery.Content.ReadAsStringAsync());
        var viaForm = await attacker.PostAsync("/read", new FormUrlEncodedContent(new Dictionary<string, string> { ["sid"] = value }));
        Assert.Equal("none", await viaForm.Content.ReadAsStringAsync());
        Assert.False(viaQuery.Headers.Contains("Set-Cookie"));
        Assert.Equal("mine", await browser.GetStringAsync("/read"));
        Assert.DoesNotContain(value, app.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(value[..43], app.Logs.AllText, StringComparison.Ordinal);
    }

    private static async Task<string> SendWithCookie(HttpClient client, string path, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return await (await client.SendAsync(request)).Content.ReadAsStringAsync();
    }
}
