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
        await page.ClickAsync("form[action='/login'] button");
        Assert.Contains("Signed in as ann", await page.InnerTextAsync("body"), StringComparison.Ordinal);
        var cookie = Assert.Single(await browser.CookiesAsync(), c => c.Name == "sid");
        Assert.InRange(cookie.Expires - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), TimeSpan.FromDays(30).TotalSeconds - 60, TimeSpan.FromDays(30).TotalSeconds);
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
}
