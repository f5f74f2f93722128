using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Satchel.AspNetCore.Tests.Support;

namespace Satchel.AspNetCore.Tests;

/// <summary>A left-over AddSession()/UseSession() beside Satchel is reported, not silently obeyed.</summary>
public sealed class LeftoverSessionTests
{
    [Fact]
    public async Task AddSession_is_reported_at_start_and_UseSession_after_UseSatchel_at_the_first_request()
    {
        await using var app = await SatchelApp.StartAsync(
            a =>
            {
                a.UseSession();   // left over from before the switch
                a.MapGet("/", (HttpContext http) => http.Session.GetType().Name);
            },
            setup: b => b.Services.AddDistributedMemoryCache().AddSession());
        Assert.Contains(app.Logs.At(LogLevel.Warning), l => l.EventId.Id == 502 && l.Message.Contains("AddSession()", StringComparison.Ordinal));

        using var browser = app.NewBrowser();
        Assert.Equal("DistributedSession", await browser.GetStringAsync(new Uri("/", UriKind.Relative)));   // what the app would otherwise never notice
        await browser.GetStringAsync(new Uri("/", UriKind.Relative));
        var taken = Assert.Single(app.Logs.At(LogLevel.Error), l => l.EventId.Id == 501);
        Assert.Contains("Remove app.UseSession()", taken.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_app_on_Satchel_alone_reports_nothing()
    {
        await using var app = await SatchelApp.StartAsync(a => a.MapGet("/", (HttpContext http) => http.Session.GetType().Name));
        using var browser = app.NewBrowser();
        Assert.Equal("SatchelAspNetSession", await browser.GetStringAsync(new Uri("/", UriKind.Relative)));
        Assert.DoesNotContain(app.Logs.Lines, l => l.EventId.Id is 501 or 502);
    }
}
