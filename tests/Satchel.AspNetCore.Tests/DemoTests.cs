using System.Net;
using Satchel.AspNetCore.Tests.Support;

namespace Satchel.AspNetCore.Tests;

/// <summary>Starts the demo site as its own process, the way `dotnet run --project samples/Satchel.Demo` does.</summary>
public sealed class DemoTests : IAsyncLifetime
{
    private DemoProcess? _demo;
    private HttpClient _browser = null!;

    public async Task InitializeAsync()
    {
        _demo = await DemoProcess.StartAsync();
        _browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = _demo.Address };
    }

    public Task DisposeAsync()
    {
        _browser.Dispose();
        _demo?.Dispose();
        return Task.CompletedTask;
    }
    [Fact]
    public async Task The_demo_stores_a_value_says_reload_and_reads_it_back_with_a_visit_counter()
    {
        var first = await _browser.GetStringAsync("/");
        Assert.Contains("reload the page", first, StringComparison.Ordinal);
        Assert.Contains("<strong id=\"visits\">1</strong>", first, StringComparison.Ordinal);
        var second = await _browser.GetStringAsync("/");
        Assert.Contains("<strong id=\"value\">A session variable</strong>", second, StringComparison.Ordinal);
        Assert.Contains("<strong id=\"visits\">2</strong>", second, StringComparison.Ordinal);
        Assert.Contains("<strong id=\"visits\">3</strong>", await _browser.GetStringAsync("/"), StringComparison.Ordinal);
        Assert.Contains("testValue via ISession: A session variable", await _browser.GetStringAsync("/legacy"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_signs_in_lists_sessions_and_signs_out()
    {
        await _browser.GetStringAsync("/");
        var login = await _browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["user"] = "ann", ["remember"] = "on" }));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Contains("Max-Age=2592000", login.Headers.GetValues("Set-Cookie").Single(), StringComparison.Ordinal);
        Assert.Contains("Signed in as <strong>ann</strong>", await _browser.GetStringAsync("/"), StringComparison.Ordinal);
        Assert.Contains("(this one)", await _browser.GetStringAsync("/sessions"), StringComparison.Ordinal);
        await _browser.PostAsync("/logout", null);
        Assert.Contains("Not signed in.", await _browser.GetStringAsync("/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_page_links_to_every_feature_uses_the_one_stylesheet_and_says_what_Satchel_did()
    {
        string[] pages = ["/", "/counter", "/sessions", "/cart", "/legacy"];
        foreach (var path in pages)
        {
            var html = await _browser.GetStringAsync(path);
            Assert.Contains("<link rel=\"stylesheet\" href=\"/site.css\">", html, StringComparison.Ordinal);
            foreach (var link in new[] { "href=\"/\"", "href=\"/counter\"", "href=\"/#sign-in\"", "href=\"/sessions\"", "href=\"/cart\"", "href=\"/legacy\"" })
                Assert.Contains(link, html, StringComparison.Ordinal);
            Assert.Contains("What Satchel just did", html, StringComparison.Ordinal);
            Assert.Contains("<strong id=\"store\">memory</strong>", html, StringComparison.Ordinal);
        }
        var css = await _browser.GetAsync("/site.css");
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        Assert.Contains(".explain", await css.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_explanation_follows_the_cookie_new_then_loaded_then_unknown()
    {
        Assert.Contains("this response carries a new <code>sid</code> cookie", await _browser.GetStringAsync("/"), StringComparison.Ordinal);
        Assert.Contains("Satchel checked its signature and loaded session", await _browser.GetStringAsync("/"), StringComparison.Ordinal);

        using var stale = new HttpClient { BaseAddress = _demo!.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/counter");
        request.Headers.Add("Cookie", "sid=not-a-session-the-store-knows");
        var html = await (await stale.SendAsync(request)).Content.ReadAsStringAsync();
        Assert.Contains("a cookie the store does not know", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_that_stores_nothing_shows_no_session_id_and_one_that_stores_shows_the_same_id_on_every_load()
    {
        // Seen: the footer showed a different "session id" on every load of a page that stored nothing.
        using var visitor = new HttpClient { BaseAddress = _demo!.Address };
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var html = await visitor.GetStringAsync("/sessions");
            Assert.Contains("nothing was stored", html, StringComparison.Ordinal);
            Assert.Contains("<span id=\"session-id\">no session yet</span>", html, StringComparison.Ordinal);
        }
        var ids = new List<string>();
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var html = await _browser.GetStringAsync("/");
            var start = html.IndexOf("<code id=\"session-id\">", StringComparison.Ordinal) + "<code id=\"session-id\">".Length;
            ids.Add(html[start..html.IndexOf('<', start)]);
        }
        Assert.Single(ids.Distinct());
    }

    [Fact]
    public async Task The_counter_page_counts_in_one_step_inside_the_store()
    {
        for (var i = 1; i <= 3; i++)
        {
            var html = await (await _browser.PostAsync("/counter", null)).Content.ReadAsStringAsync();
            Assert.Contains($"<p class=\"big\" id=\"counter\">{i}</p>", html, StringComparison.Ordinal);
            Assert.Contains("inside the store, in one step", html, StringComparison.Ordinal);
        }
    }
}
