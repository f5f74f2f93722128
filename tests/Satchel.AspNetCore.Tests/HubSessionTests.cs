using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Satchel.AspNetCore;
using Satchel.AspNetCore.Tests.Support;

namespace Satchel.AspNetCore.Tests;

/// <summary>Sessions in SignalR hubs, through the real SignalR client against Kestrel, on the memory store.</summary>
public sealed class HubSessionTests
{
    public sealed class CartHub : Hub
    {
        public string? Get(string key) => Context.GetSession()[key];

        public void Set(string key, string value) => Context.GetSession()[key] = value;

        public Task Regenerate() => Context.GetSession().RegenerateAsync().AsTask();

        public void Remember() => Context.GetSession().RememberMe(TimeSpan.FromDays(30));

        public void SignOut() => Context.GetSession().Destroy();
    }

    private static void Endpoints(WebApplication app)
    {
        app.MapGet("/set/{key}/{value}", (string key, string value, Session s) => s[key] = value);
        app.MapGet("/get/{key}", (string key, Session s) => s[key] ?? "none");
        app.MapGet("/keys", (Session s) => string.Join(",", s.Keys.Order(StringComparer.Ordinal)));
        app.MapGet("/login/{user}", async (string user, Session s) => { await s.RegenerateAsync(); s.UserId = user; });
        app.MapGet("/logout", (Session s) => s.Destroy());
        app.MapHub<CartHub>("/hub");
    }

    private static Task<SatchelApp> StartAsync(Action<SatchelHubOptions>? hub = null) =>
        SatchelApp.StartAsync(Endpoints, setup: b => b.Services.AddSignalR(o => o.EnableDetailedErrors = true).AddSatchel(hub));

    [Fact]
    public async Task A_hub_call_reads_and_writes_the_browsers_session_as_the_store_holds_it_at_the_call()
    {
        await using var app = await StartAsync();
        using var http = await BrowserAsync(app, "/set/cart/book");
        await using var hub = await ConnectAsync(app, http);

        Assert.Equal("book", await hub.InvokeAsync<string?>("Get", "cart"));
        await http.Client.GetStringAsync("/set/cart/pen");
        Assert.Equal("pen", await hub.InvokeAsync<string?>("Get", "cart"));   // not a copy taken at connect
        await hub.InvokeAsync("Set", "note", "from the hub");
        Assert.Equal("from the hub", await http.Client.GetStringAsync("/get/note"));
        Assert.Equal(1, app.Memory!.Count);
    }

    [Fact]
    public async Task Twenty_hub_writes_and_twenty_HTTP_writes_at_once_are_all_kept()
    {
        await using var app = await StartAsync();
        using var http = await BrowserAsync(app, "/set/cart/book");
        await using var hub = await ConnectAsync(app, http);

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => i % 2 == 0
            ? hub.InvokeAsync("Set", $"k{i:00}", "hub")
            : http.Client.GetStringAsync($"/set/k{i:00}/http")));

        var expected = Enumerable.Range(0, 40).Select(i => $"k{i:00}").Append("cart").Order(StringComparer.Ordinal);
        Assert.Equal(expected, (await http.Client.GetStringAsync("/keys")).Split(','));
    }

    [Fact]
    public async Task What_needs_a_cookie_is_refused_at_the_call_with_a_message_that_says_to_use_HTTP()
    {
        await using var app = await StartAsync();
        await using (var anonymous = await ConnectAsync(app, cookie: null))
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => anonymous.InvokeAsync("Set", "cart", "book"));
            Assert.Contains("start a session", refused.Message, StringComparison.Ordinal);
            Assert.Contains("HTTP request", refused.Message, StringComparison.Ordinal);
        }
        Assert.Equal(0, app.Memory!.Count);   // nothing stored for a session no browser could find

        using var http = await BrowserAsync(app, "/set/cart/book");
        await using var hub = await ConnectAsync(app, http);
        Assert.Contains("RegenerateAsync", (await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync("Regenerate"))).Message, StringComparison.Ordinal);
        Assert.Contains("RememberMe", (await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync("Remember"))).Message, StringComparison.Ordinal);
        Assert.Equal("book", await hub.InvokeAsync<string?>("Get", "cart"));   // the session is as it was
        Assert.Equal("book", await http.Client.GetStringAsync("/get/cart"));
    }

    [Fact]
    public async Task Signing_out_over_HTTP_closes_the_live_connection_of_that_session_and_no_other()
    {
        await using var app = await StartAsync();
        using var ann = await BrowserAsync(app, "/set/cart/book");
        using var bob = await BrowserAsync(app, "/set/cart/pen");
        await using var annLive = await ConnectAsync(app, ann);
        await using var bobLive = await ConnectAsync(app, bob);
        var closed = Closed(annLive);

        await ann.Client.GetStringAsync("/logout");

        await closed.WaitAsync(TimeSpan.FromSeconds(30));   // evidence, not time: the close the sign-out caused
        Assert.Equal(HubConnectionState.Disconnected, annLive.State);
        Assert.Equal("pen", await bobLive.InvokeAsync<string?>("Get", "cart"));
        Assert.Contains(app.Logs.Lines, l => l.EventId.Id == 406);
    }

    [Fact]
    public async Task With_closing_off_an_ended_sessions_connection_sees_no_session_from_its_next_call()
    {
        await using var app = await StartAsync(o => o.CloseOnSessionEnd = false);
        using var http = await BrowserAsync(app, "/set/cart/book");
        await using var hub = await ConnectAsync(app, http);
        Assert.Equal("book", await hub.InvokeAsync<string?>("Get", "cart"));

        await hub.InvokeAsync("SignOut");   // a hub may end its session: no cookie needed to delete it

        Assert.Equal(HubConnectionState.Connected, hub.State);
        Assert.Null(await hub.InvokeAsync<string?>("Get", "cart"));
        await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync("Set", "cart", "again"));
        Assert.Equal("none", await http.Client.GetStringAsync("/get/cart"));
        Assert.Equal(0, app.Memory!.Count);
    }

    [Fact]
    public async Task A_revocation_through_SessionAdmin_and_a_sign_in_that_regenerates_close_the_connections_too()
    {
        await using var app = await StartAsync();
        using var phone = await BrowserAsync(app, "/login/ann");
        await using var phoneLive = await ConnectAsync(app, phone);
        var revoked = Closed(phoneLive);
        await app.Services.GetRequiredService<SessionAdmin>().RevokeAllAsync("ann");
        await revoked.WaitAsync(TimeSpan.FromSeconds(30));

        using var laptop = await BrowserAsync(app, "/set/cart/book");
        await using var laptopLive = await ConnectAsync(app, laptop);
        var regenerated = Closed(laptopLive);
        await laptop.Client.GetStringAsync("/login/ann");   // the old token is dead: its connection goes
        await regenerated.WaitAsync(TimeSpan.FromSeconds(30));
        await using var renewed = await ConnectAsync(app, laptop);
        Assert.Equal("book", await renewed.InvokeAsync<string?>("Get", "cart"));
    }

    [Fact]
    public async Task A_forged_cookie_gets_no_session_binds_nothing_and_stores_nothing()
    {
        await using var app = await StartAsync();
        await using var forged = await ConnectAsync(app, "sid=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.forged");
        Assert.Null(await forged.InvokeAsync<string?>("Get", "cart"));
        await Assert.ThrowsAsync<HubException>(() => forged.InvokeAsync("Set", "cart", "book"));
        Assert.Equal(0, app.Memory!.Count);
    }

    // A browser: its cookie kept from its first request.
    private sealed class Browser(HttpClient client, CookieContainer cookies, Uri address) : IDisposable
    {
        public HttpClient Client => client;

        public string Cookie => cookies.GetCookieHeader(address);

        public void Dispose() => client.Dispose();
    }

    private static async Task<Browser> BrowserAsync(SatchelApp app, string firstPath)
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = app.BaseAddress };
        (await client.GetAsync(firstPath)).EnsureSuccessStatusCode();
        return new Browser(client, cookies, app.BaseAddress);
    }

    private static Task<HubConnection> ConnectAsync(SatchelApp app, Browser browser) => ConnectAsync(app, browser.Cookie);

    private static async Task<HubConnection> ConnectAsync(SatchelApp app, string? cookie)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(app.BaseAddress, "hub"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                if (cookie is not null) o.Headers["Cookie"] = cookie;
            })
            .Build();
        await connection.StartAsync();
        // The server registers a connection for closing after its handshake; a first call is
        // answered only once that is done, so the tests that end sessions start from a known state.
        await connection.InvokeAsync<string?>("Get", "cart");
        return connection;
    }

    private static Task Closed(HubConnection connection)
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        return closed.Task;
    }
}
