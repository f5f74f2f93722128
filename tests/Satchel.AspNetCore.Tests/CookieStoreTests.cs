using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Satchel.AspNetCore.Tests.Support;

namespace Satchel.AspNetCore.Tests;

/// <summary>The cookie store in a real ASP.NET Core app on Kestrel.</summary>
public sealed class CookieStoreTests
{
    private static Task<SatchelApp> StartAsync() => SatchelApp.StartAsync(app =>
    {
        app.MapGet("/add", (Session session) => session.Set("n", session.Get<int>("n") + 1));
        app.MapGet("/read", (Session session) => session.Get<int>("n"));
        app.MapGet("/legacy", (HttpContext http) => http.Session.GetString("name") ?? "(none)");
        app.MapGet("/legacy-set", (HttpContext http) => http.Session.SetString("name", "ann"));
    }, store: s => s.UseCookies());

    [Fact]
    public async Task A_browser_keeps_its_session_in_two_cookies_and_the_server_keeps_nothing()
    {
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();
        await browser.GetAsync(new Uri("/add", UriKind.Relative));
        var response = await browser.GetAsync(new Uri("/add", UriKind.Relative));
        var names = response.Headers.GetValues("Set-Cookie").Select(c => c[..c.IndexOf('=')]).ToList();
        Assert.Equal(["sid.data"], names);   // the token cookie stands; the data cookie is sealed again
        Assert.Equal("2", await browser.GetStringAsync(new Uri("/read", UriKind.Relative)));
        await browser.GetAsync(new Uri("/legacy-set", UriKind.Relative));
        Assert.Equal("ann", await browser.GetStringAsync(new Uri("/legacy", UriKind.Relative)));
    }

    [Theory]
    [InlineData("sid.data=AAAA")]
    [InlineData("sid.data=%%%")]
    [InlineData("sid.data=" + "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task A_forged_data_cookie_is_no_session_never_a_500(string forged)
    {
        await using var app = await StartAsync();
        using var raw = app.NewRawClient();
        var first = await raw.GetAsync(new Uri("/add", UriKind.Relative));
        var token = first.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sid=", StringComparison.Ordinal)).Split(';')[0];
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(app.BaseAddress, "/read"));
        request.Headers.Add("Cookie", $"{token}; {forged}");
        var response = await raw.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("0", await response.Content.ReadAsStringAsync());
    }
}
