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
}
