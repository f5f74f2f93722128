using System.Net;
using Microsoft.AspNetCore.Builder;
using Satchel.AspNetCore.Tests.Support;
using Satchel.Tests.Support;

namespace Satchel.AspNetCore.Tests;

/// <summary>A counter endpoint over HTTP: parallel requests of one browser, no exclusive session, no load.</summary>
public sealed class CounterTests
{
    [Fact]
    public async Task Fifty_parallel_requests_of_one_browser_each_count_once_and_a_lazy_session_is_never_loaded()
    {
        var store = new CountingStore(new MemorySessionStore());
        await using var app = await SatchelApp.StartAsync(a =>
        {
            a.MapGet("/start", (Session s) => s.Set("n", 0));
            a.MapGet("/count", async (Session s) => await s.IncrementAsync("n")).WithLazySession();
            a.MapGet("/read", (Session s) => s.Get<long>("n"));
        }, store: s => s.UseStore(_ => store));
        using var browser = app.NewBrowser();
        await browser.GetAsync(new Uri("/start", UriKind.Relative));
        var loads = store.Loads;

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => browser.GetStringAsync(new Uri("/count", UriKind.Relative))));

        Assert.Equal(Enumerable.Range(1, 50).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), answers.OrderBy(int.Parse));
        Assert.Equal(loads, store.Loads);
        Assert.Equal("50", await browser.GetStringAsync(new Uri("/read", UriKind.Relative)));
    }
}
