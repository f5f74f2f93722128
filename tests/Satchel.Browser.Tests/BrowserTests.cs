using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Satchel.AspNetCore.Tests.Support;

namespace Satchel.Browser.Tests;

/// <summary>The demo in a real headless Chromium (Debian's), driven by Playwright.</summary>
public sealed class BrowserTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private IPlaywright _playwright = null!;
    private DemoProcess _demo = null!;
    private string _profile = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"{Chromium} is missing: run ./test.sh (it installs Debian's chromium as root) or `apt-get install chromium`.");
        _playwright = await Playwright.CreateAsync();
        _demo = await DemoProcess.StartAsync();
        _profile = Directory.CreateTempSubdirectory("satchel-chromium-").FullName;
    }

    public Task DisposeAsync()
    {
        _demo.Dispose();
        _playwright.Dispose();
        Directory.Delete(_profile, recursive: true);
        return Task.CompletedTask;
    }

    // A persistent profile, so closing and launching again is a browser restart with its cookie jar.
    private Task<IBrowserContext> LaunchAsync() =>
        _playwright.Chromium.LaunchPersistentContextAsync(_profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });

    [Fact]
    public async Task The_value_stored_on_the_first_visit_is_read_back_on_reload_and_the_counter_climbs()
    {
        await using var browser = await LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(_demo.Address.ToString());
        Assert.Contains("reload the page", await page.InnerTextAsync("#message"), StringComparison.Ordinal);
        Assert.Equal("1", await page.InnerTextAsync("#visits"));

        await page.ReloadAsync();
        Assert.Equal("A session variable", await page.InnerTextAsync("#value"));
        Assert.Equal("2", await page.InnerTextAsync("#visits"));
        await page.ReloadAsync();
        Assert.Equal("3", await page.InnerTextAsync("#visits"));

        var cookie = Assert.Single(await browser.CookiesAsync(), c => c.Name == "sid");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, cookie.SameSite);
        Assert.Equal(-1, cookie.Expires);   // a browser-session cookie until "remember me"
    }

    [Fact]
    public async Task Remember_me_survives_a_browser_restart_and_a_plain_session_does_not()
    {
        var browser = await LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(_demo.Address.ToString());
        await page.FillAsync("input[name=user]", "ann");
        await page.ClickAsync("form[action='/login'] button");
        Assert.Contains("Signed in as ann", await page.InnerTextAsync("body"), StringComparison.Ordinal);
        await browser.CloseAsync();

        browser = await LaunchAsync();   // restart: a session cookie is gone
        page = await browser.NewPageAsync();
        await page.GotoAsync(_demo.Address.ToString());
        Assert.Contains("Not signed in.", await page.InnerTextAsync("body"), StringComparison.Ordinal);

        await page.FillAsync("input[name=user]", "ann");
        await page.CheckAsync("input[name=remember]");
        var login = await page.RunAndWaitForResponseAsync(
            () => page.ClickAsync("form[action='/login'] button"), r => r.Url.EndsWith("/login", StringComparison.Ordinal));
        Assert.Contains("Signed in as ann", await page.InnerTextAsync("body"), StringComparison.Ordinal);
        // Satchel's part is the Max-Age it sends. Chromium turns it into an expiry on its own clock;
        // comparing that with this process's clock a moment later breaks whenever the machine's
        // clock is stepped (CI saw 128 s past the 30 days), so that check only has a day's slack.
        var setCookie = await login.HeaderValueAsync("set-cookie") ?? "";
        var maxAge = Regex.Match(setCookie, @"sid=[^;]+; Max-Age=(\d+);");
        Assert.True(maxAge.Success, $"the login's Set-Cookie has no Max-Age: {setCookie}");
        Assert.InRange(double.Parse(maxAge.Groups[1].Value, CultureInfo.InvariantCulture), TimeSpan.FromDays(30).TotalSeconds - 60, TimeSpan.FromDays(30).TotalSeconds);
        var cookie = Assert.Single(await browser.CookiesAsync(), c => c.Name == "sid");
        Assert.InRange(cookie.Expires - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), TimeSpan.FromDays(29).TotalSeconds, TimeSpan.FromDays(31).TotalSeconds);
        await browser.CloseAsync();

        browser = await LaunchAsync();   // restart: the remember-me cookie is still there
        page = await browser.NewPageAsync();
        await page.GotoAsync(_demo.Address.ToString());
        Assert.Contains("Signed in as ann", await page.InnerTextAsync("body"), StringComparison.Ordinal);

        var signedIn = Assert.Single(await browser.CookiesAsync(), c => c.Name == "sid").Value;
        await page.ClickAsync("form[action='/logout'] button");
        Assert.Contains("Not signed in.", await page.InnerTextAsync("body"), StringComparison.Ordinal);
        // The home page counts visits, so the redirect after sign-out starts a fresh session: a new token.
        var after = Assert.Single(await browser.CookiesAsync(), c => c.Name == "sid");
        Assert.NotEqual(signedIn, after.Value);
        Assert.Equal(-1, after.Expires);
        await browser.CloseAsync();
    }

    [Fact]
    public async Task Twenty_parallel_requests_of_the_cart_page_each_add_an_item_and_all_twenty_stay()
    {
        await using var browser = await LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(_demo.Address, "/cart").ToString());
        Assert.Equal("0", await page.InnerTextAsync("#cart-count"));

        await page.ClickAsync("#fill");
        await page.WaitForSelectorAsync("#cart-ok");
        Assert.Equal("20", await page.InnerTextAsync("#cart-count"));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"Item {i}"), (await page.Locator("#cart-items li").AllInnerTextsAsync()).OrderBy(t => int.Parse(t[5..], System.Globalization.CultureInfo.InvariantCulture)));

        // Not only what the script showed: the server's cart, on a fresh page load.
        await page.ReloadAsync();
        Assert.Equal("20", await page.InnerTextAsync("#cart-count"));
        await Screenshot(page, "cart");
    }

    [Fact]
    public async Task Each_page_of_the_demo_renders_with_its_stylesheet_and_explanation()
    {
        await using var browser = await LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.SetViewportSizeAsync(1000, 760);
        foreach (var (path, name) in new[] { ("/", "home"), ("/", "home-reload"), ("/counter", "counter"), ("/legacy", "isession") })
        {
            await page.GotoAsync(new Uri(_demo.Address, path).ToString());
            Assert.Contains("What Satchel just did", await page.TextContentAsync("#explain"), StringComparison.Ordinal);
            // The stylesheet applied: the explanation box has its accent border.
            Assert.Equal("4px", await page.EvalOnSelectorAsync<string>("#explain", "e => getComputedStyle(e).borderLeftWidth"));
            await Screenshot(page, name);
        }
        await page.GotoAsync(_demo.Address.ToString());
        await page.FillAsync("input[name=user]", "ann");
        await page.ClickAsync("form[action='/login'] button");
        await page.GotoAsync(new Uri(_demo.Address, "/sessions").ToString());
        Assert.Contains("(this one)", await page.InnerTextAsync("table"), StringComparison.Ordinal);
        await Screenshot(page, "sessions");
    }

    // Screenshots of the demo for the README, in the test's output folder (docs/images holds the committed ones).
    private static async Task Screenshot(IPage page, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    [Fact]
    public async Task The_live_page_shares_the_cart_with_the_HTTP_page_and_closes_when_another_tab_signs_out()
    {
        await using var browser = await LaunchAsync();
        var live = await browser.NewPageAsync();
        await live.GotoAsync(new Uri(_demo.Address, "live").ToString());
        await live.WaitForSelectorAsync("#live-state.ok");   // the hub connection is up, on the page's session

        // Added through the hub, seen by the HTTP page.
        await live.ClickAsync("#live-add");
        await live.WaitForFunctionAsync("document.getElementById('live-count').textContent === '1'");
        var cart = await browser.NewPageAsync();
        await cart.GotoAsync(new Uri(_demo.Address, "cart").ToString());
        Assert.Equal("1", await cart.InnerTextAsync("#cart-count"));

        // Added over HTTP (twenty at once), seen by the live page at its next call.
        await cart.ClickAsync("#fill");
        await cart.WaitForFunctionAsync("document.getElementById('cart-count').textContent === '21'");   // the live item and the twenty
        await live.WaitForFunctionAsync("document.getElementById('live-count').textContent === '21'");

        // Signing out in the other tab closes the live page's connection.
        await cart.GotoAsync(_demo.Address.ToString());
        await cart.ClickAsync("form[action='/logout'] button");
        await live.WaitForSelectorAsync("#live-state.closed");
        Assert.StartsWith("closed", await live.InnerTextAsync("#live-state"), StringComparison.Ordinal);
    }
}
