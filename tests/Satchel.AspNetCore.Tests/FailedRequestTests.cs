using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Satchel.AspNetCore.Tests.Support;
using Satchel.Tests.Support;

namespace Satchel.AspNetCore.Tests;

/// <summary>What a failing, refused or abandoned request leaves behind: each test failed before its fix.</summary>
public class FailedRequestTests
{
    private static void Endpoints(WebApplication app)
    {
        app.MapGet("/set", (Session s) => s["a"] = "kept");
        app.MapGet("/get", (Session s) => s["a"] ?? "none");
        app.MapGet("/throw", (Session s) =>
        {
            for (var i = 0; i < 255; i++) s[$"k{i}"] = "half-done";
            s["a"] = "overwritten";
            throw new InvalidOperationException("the handler failed");
        });
        app.MapGet("/500", (Session s) =>
        {
            s["a"] = "from a 500";
            return Results.StatusCode(500);
        });
    }

    [Fact]
    public async Task A_request_that_throws_saves_nothing_and_sends_no_cookie()
    {
        await using var app = await SatchelApp.StartAsync(Endpoints);
        using var browser = app.NewBrowser();
        await browser.GetStringAsync("/set");

        Assert.Equal(HttpStatusCode.InternalServerError, (await browser.GetAsync("/throw")).StatusCode);
        Assert.Equal("kept", await browser.GetStringAsync("/get"));
        Assert.Equal(1, app.Memory!.Count);

        // Without a session, a failing request leaves no record and no cookie behind.
        using var raw = app.NewRawClient();
        var response = await raw.GetAsync("/throw");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Equal(1, app.Memory.Count);
    }

    [Fact]
    public async Task A_5xx_response_saves_nothing_unless_the_app_opts_in()
    {
        await using (var app = await SatchelApp.StartAsync(Endpoints))
        {
            using var browser = app.NewBrowser();
            await browser.GetStringAsync("/set");
            Assert.Equal(HttpStatusCode.InternalServerError, (await browser.GetAsync("/500")).StatusCode);
            Assert.Equal("kept", await browser.GetStringAsync("/get"));
        }
        await using (var app = await SatchelApp.StartAsync(Endpoints, aspNetCore: o => o.CommitOnServerError = true))
        {
            using var browser = app.NewBrowser();
            await browser.GetStringAsync("/set");
            Assert.Equal(HttpStatusCode.InternalServerError, (await browser.GetAsync("/500")).StatusCode);
            Assert.Equal("from a 500", await browser.GetStringAsync("/get"));
        }
    }

    [Fact]
    public async Task The_ASP_NET_Core_options_keep_their_configuration_keys()
    {
        // Satchel:CommitOnServerError moved from SatchelOptions to SatchelAspNetCoreOptions; the key stays.
        await using var app = await SatchelApp.StartAsync(Endpoints,
            setup: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Satchel:CommitOnServerError"] = "true" }));
        using var browser = app.NewBrowser();
        await browser.GetStringAsync("/set");
        Assert.Equal(HttpStatusCode.InternalServerError, (await browser.GetAsync("/500")).StatusCode);
        Assert.Equal("from a 500", await browser.GetStringAsync("/get"));
    }

    [Fact]
    public async Task A_throttled_client_gets_429_and_its_stale_cookie_cleared()
    {
        await using var app = await SatchelApp.StartAsync(Endpoints, o => { o.InvalidCookieLimit = 1; o.OnInvalidCookieBurst = _ => true; });
        using var raw = app.NewRawClient();
        HttpResponseMessage Send() => raw.Send(new HttpRequestMessage(HttpMethod.Get, "/get") { Headers = { { "Cookie", "sid=stale-value-from-an-old-deployment" } } });
        Assert.Equal(HttpStatusCode.OK, Send().StatusCode);
        var refused = Send();
        Assert.Equal((HttpStatusCode)429, refused.StatusCode);
        Assert.Contains(refused.Headers.GetValues("Set-Cookie"), c => c.StartsWith("sid=;", StringComparison.Ordinal) && c.Contains("Max-Age=0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_session_feature_is_gone_once_the_middleware_is_done_also_when_the_request_throws()
    {
        var seen = new List<bool>();
        await using var app = await SatchelApp.StartAsync(Endpoints, before: a => a.Use(async (context, next) =>
        {
            // A middleware in front of UseSatchel looks at the request after it.
            try { await next(context); }
            catch (InvalidOperationException) { context.Response.StatusCode = 500; }
            seen.Add(context.Features.Get<ISessionFeature>() is not null);
        }));
        using var browser = app.NewBrowser();
        await browser.GetStringAsync("/set");
        await browser.GetAsync("/throw");
        Assert.Equal([false, false], seen);
    }

    [Fact]
    public async Task A_client_that_goes_away_does_not_lose_its_request_s_writes()
    {
        // A store that honours cancellation, like an IDistributedCache one: the commit must not take RequestAborted.
        // GetSession, not a Session parameter: the request's DI scope disposes a Session parameter, which commits it once more.
        await using var app = await SatchelApp.StartAsync(a => a.MapGet("/set-and-abort", async (HttpContext http) =>
        {
            http.GetSession()["a"] = "written";
            http.Abort();
            while (!http.RequestAborted.IsCancellationRequested) await Task.Delay(10);   // the server has seen it go
        }), store: b => b.UseStore(_ => new AsyncStore(new MemorySessionStore())));
        using var raw = app.NewRawClient();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => raw.GetAsync("/set-and-abort"));
        var store = app.Services.GetRequiredService<ISessionStore>().GetCapability<MemorySessionStore>()!;
        Assert.True(SpinWait.SpinUntil(() => store.Count == 1, TimeSpan.FromSeconds(10)), "the aborted request's session was not saved");
    }
}
