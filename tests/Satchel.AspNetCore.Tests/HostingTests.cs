using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Satchel.AspNetCore.Tests.Support;
using Satchel.Tests.Support;

namespace Satchel.AspNetCore.Tests;

public class HostingTests
{
    [Fact]
    public async Task A_store_failure_answers_503_and_logs_the_store_error()
    {
        await using var app = await SatchelApp.StartAsync(
            a => a.MapGet("/", (Session s) => s["x"] = "1"),
            store: b => b.UseStore(_ => new FailingStore()));
        using var browser = app.NewRawClient();
        var response = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains(app.Logs.At(LogLevel.Error), l => l.Exception?.Message == FailingStore.Error && l.Message.Contains("FailingStore", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_store_failure_on_load_with_a_cookie_answers_503_too()
    {
        await using var app = await SatchelApp.StartAsync(
            a => a.MapGet("/", (HttpContext http) => http.GetSession()["x"] ?? "none"),
            store: b => b.UseStore(_ => new FailingStore()));
        var manager = app.Services.GetRequiredService<SessionManager>();
        using var client = app.NewRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("Cookie", $"sid={manager.Runtime.Cookies.KeyRing.Sign(SessionToken.NewToken())}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Degrade_serves_the_request_with_an_empty_session()
    {
        await using var app = await SatchelApp.StartAsync(
            a => a.MapGet("/", (Session s) => { s["x"] = "1"; return s["x"]; }),
            o => o.StoreFailurePolicy = StoreFailurePolicy.Degrade,
            b => b.UseStore(_ => new FailingStore()));
        using var browser = app.NewRawClient();
        var response = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Contains(app.Logs.At(LogLevel.Warning), l => l.EventId.Id == 5);
    }

    [Fact]
    public async Task An_endpoint_taking_a_Session_loads_it_without_blocking_a_thread()
    {
        await using var app = await SatchelApp.StartAsync(a =>
        {
            a.MapGet("/param", (Session s) => s["x"] ??= "1");
            a.MapGet("/sync", (HttpContext http) => http.GetSession()["x"]);
        }, store: b => b.UseStore(_ => new AsyncStore(new MemorySessionStore())));
        using var browser = app.NewBrowser();
        await browser.GetStringAsync("/param");
        await browser.GetStringAsync("/param");
        Assert.DoesNotContain(app.Logs.Lines, l => l.EventId.Id == 6);
        Assert.Equal("1", await browser.GetStringAsync("/sync"));
        Assert.Contains(app.Logs.Lines, l => l.EventId.Id == 6);   // the other way round warns
    }

    // Off, an endpoint seen reading its session unloaded loads it first from its next request on;
    // on, every endpoint does from the first. An endpoint that asked to load lazily is left alone.
    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 0)]
    public async Task An_endpoint_reading_HttpContext_Session_unloaded_blocks_a_thread_at_most_once_unless_lazy(bool loadBeforeEndpoint, int blocked)
    {
        await using var app = await SatchelApp.StartAsync(a =>
        {
            a.MapGet("/write", (Session s) => s["x"] = "1");
            a.MapGet("/sync", (HttpContext http) => http.Session.GetString("x"));
            a.MapGet("/checked", (HttpContext http) => http.Session.IsAvailable ? http.Session.GetString("x") : "unavailable");
            a.MapGet("/lazy", (HttpContext http) => http.Session.GetString("x")).WithLazySession();
        }, aspNetCore: o => o.LoadBeforeEndpoint = loadBeforeEndpoint, store: b => b.UseStore(_ => new AsyncStore(new MemorySessionStore())));
        using var browser = app.NewBrowser();
        await browser.GetStringAsync("/write");
        int Blocked() => app.Logs.Lines.Count(l => l.EventId.Id == 6);   // Satchel's warning for a thread that waited on a load
        for (var i = 0; i < 3; i++) Assert.Equal("1", await browser.GetStringAsync("/sync"));
        Assert.Equal(blocked, Blocked());
        // ISession.IsAvailable loads as a read does (ASP.NET Core code often asks it first).
        for (var i = 0; i < 3; i++) Assert.Equal("1", await browser.GetStringAsync("/checked"));
        Assert.Equal(2 * blocked, Blocked());
        for (var i = 0; i < 2; i++) Assert.Equal("1", await browser.GetStringAsync("/lazy"));
        Assert.Equal(2 * blocked + 2, Blocked());
        Assert.Contains(app.Logs.Lines, l => l.EventId.Id == 6 && l.Message.Contains("LoadBeforeEndpoint", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_request_arriving_while_another_waits_on_its_HttpContext_Session_load_loads_first_without_blocking()
    {
        var store = new GatedLoadStore(new MemorySessionStore());
        await using var app = await SatchelApp.StartAsync(a =>
        {
            a.MapGet("/write", (Session s) => s["x"] = "1");
            a.MapGet("/sync", (HttpContext http) => http.Session.GetString("x"));
        }, store: b => b.UseStore(_ => store));
        using var browser = app.NewBrowser();
        await browser.GetStringAsync("/write");
        store.Closed = true;
        var first = browser.GetStringAsync("/sync");
        Assert.True(await store.Began.WaitAsync(TimeSpan.FromSeconds(30)));   // its thread waits on the load
        var second = browser.GetStringAsync("/sync");
        Assert.True(await store.Began.WaitAsync(TimeSpan.FromSeconds(30)));   // loading before its endpoint, awaited
        store.Gate.SetResult();
        Assert.Equal(["1", "1"], await Task.WhenAll(first, second));
        Assert.Single(app.Logs.Lines, l => l.EventId.Id == 6);   // only the first blocked a thread
    }

    /// <summary>A store whose loads, once <see cref="Closed"/>, wait for <see cref="Gate"/>, and say when each began.</summary>
    private sealed class GatedLoadStore(ISessionStore inner) : ISessionStore
    {
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public SemaphoreSlim Began { get; } = new(0);

        public bool Closed { get; set; }

        public SessionStoreGuarantees Guarantees => inner.Guarantees;

        public async ValueTask<SessionRecord?> LoadAsync(SessionKey key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default)
        {
            if (Closed)
            {
                Began.Release();
                await Gate.Task;
            }
            return await inner.LoadAsync(key, now, touchInterval, cancellationToken);
        }

        public ValueTask CreateAsync(SessionKey key, SessionRecord record, CancellationToken cancellationToken = default) => inner.CreateAsync(key, record, cancellationToken);

        public ValueTask<bool> UpdateAsync(SessionKey key, SessionChange change, CancellationToken cancellationToken = default) => inner.UpdateAsync(key, change, cancellationToken);

        public ValueTask DeleteAsync(SessionKey key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);
    }

    [Fact]
    public async Task Options_bind_from_the_Satchel_section_of_the_app_configuration()
    {
        await using var app = await SatchelApp.StartAsync(
            a => a.MapGet("/", (Session s) => s["x"] = "1"),
            setup: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Satchel:Cookie:Name"] = "app_session",
                ["Satchel:Cookie:SameSite"] = "Strict",
                ["Satchel:IdleTimeout"] = "00:05:00",
            }));
        using var browser = app.NewBrowser();
        var cookie = (await browser.GetAsync("/")).Headers.GetValues("Set-Cookie").Single();
        Assert.StartsWith("app_session=", cookie, StringComparison.Ordinal);
        Assert.EndsWith("SameSite=Strict", cookie, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMinutes(5), app.Services.GetRequiredService<SessionManager>().Options.IdleTimeout);
    }

    [Fact]
    public async Task A_client_past_the_invalid_cookie_limit_gets_429_when_the_app_says_so()
    {
        await using var app = await SatchelApp.StartAsync(
            a => a.MapGet("/", (Session s) => s["x"] ?? "none"),
            o => { o.InvalidCookieLimit = 3; o.OnInvalidCookieBurst = _ => true; });
        using var client = app.NewRawClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Add("Cookie", $"sid={SessionToken.NewToken()}.{SessionToken.NewToken()}");
            statuses.Add((await client.SendAsync(request)).StatusCode);
        }
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Contains(app.Logs.Lines, l => l.EventId.Id == 12 && l.Message.Contains("127.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public void UseSatchel_without_AddSatchel_says_what_to_add()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var app = builder.Build();
        var ex = Assert.Throws<InvalidOperationException>(() => app.UseSatchel());
        Assert.Contains("AddSatchel", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shared_store_without_a_configured_key_stops_the_app_at_startup()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSatchel().UseStore(_ => new FailingStore(isShared: true));
        var app = builder.Build();
        var ex = Assert.Throws<InvalidOperationException>(() => app.UseSatchel());
        Assert.Contains("Satchel:Secrets", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetSession_outside_UseSatchel_says_what_to_add()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new DefaultHttpContext().GetSession());
        Assert.Contains("UseSatchel", ex.Message, StringComparison.Ordinal);
    }
}
