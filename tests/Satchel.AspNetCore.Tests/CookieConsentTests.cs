using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Satchel.AspNetCore.Tests.Support;

namespace Satchel.AspNetCore.Tests;

/// <summary>ASP.NET Core's cookie policy: a non-essential session cookie waits for consent; an essential one does not.</summary>
public sealed class CookieConsentTests
{
    private static Task<SatchelApp> StartAsync(bool essential) => SatchelApp.StartAsync(
        a => a.MapGet("/", (Session s) => s.Set("n", s.Get<int>("n") + 1)),
        configure: o => o.Cookie.IsEssential = essential,
        setup: b => b.Services.Configure<CookiePolicyOptions>(o => o.CheckConsentNeeded = _ => true),
        before: a => a.UseCookiePolicy());

    [Fact]
    public async Task A_session_cookie_that_is_not_essential_waits_for_consent_and_says_so_once()
    {
        await using var app = await StartAsync(essential: false);
        using var raw = app.NewRawClient();
        var before = await raw.GetAsync(new Uri("/", UriKind.Relative));
        Assert.False(before.Headers.TryGetValues("Set-Cookie", out _));
        await raw.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Single(app.Logs.At(LogLevel.Warning), l => l.EventId.Id == 503);

        using var consented = new HttpRequestMessage(HttpMethod.Get, new Uri(app.BaseAddress, "/"));
        consented.Headers.Add("Cookie", ".AspNet.Consent=yes");
        var after = await raw.SendAsync(consented);
        Assert.Contains(after.Headers.GetValues("Set-Cookie"), c => c.StartsWith("sid=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_essential_session_cookie_goes_out_before_consent()
    {
        await using var app = await StartAsync(essential: true);
        using var raw = app.NewRawClient();
        var response = await raw.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("sid=", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Lines, l => l.EventId.Id == 503);
    }
}
