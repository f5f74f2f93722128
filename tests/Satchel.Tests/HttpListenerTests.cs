using System.Net;
using Satchel.Tests.Support;

namespace Satchel.Tests;

public class HttpListenerTests
{
    private static HttpClient ClientFor(ListenerServer server) =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true }) { BaseAddress = server.BaseAddress };

    [Fact]
    public async Task Two_lines_on_a_plain_HttpListener_keep_a_value_for_the_next_request()
    {
        using var sessions = new SessionManager();
        await using var server = new ListenerServer(async context =>
        {
            await using var session = await sessions.StartAsync(context);
            var text = session["testValue"] is { } value ? $"Read back: {value}" : "Stored: reload the page.";
            session["testValue"] = "A session variable";
            await ListenerServer.WriteTextAsync(context.Response, text);
        });
        using var browser = ClientFor(server);

        var first = await browser.GetAsync("/");
        Assert.Equal("Stored: reload the page.", await first.Content.ReadAsStringAsync());
        var setCookie = Assert.Single(first.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("sid=", setCookie, StringComparison.Ordinal);
        Assert.Contains("HttpOnly", setCookie, StringComparison.Ordinal);
        Assert.Contains("SameSite=Lax", setCookie, StringComparison.Ordinal);
        Assert.DoesNotContain("Secure", setCookie, StringComparison.Ordinal);
        Assert.Contains("Cookie", first.Headers.Vary);
        Assert.True(first.Headers.CacheControl!.NoStore);

        Assert.Equal("Read back: A session variable", await browser.GetStringAsync("/"));
        Assert.Empty(server.Errors);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_session_write_after_the_body_started_throws_instead_of_being_lost(bool chunked)
    {
        // Seen on Linux: the write after OutputStream.WriteAsync gave no exception, no Set-Cookie,
        // and "Visit 1" on every reload.
        using var sessions = new SessionManager();
        var handled = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new ListenerServer(async context =>
        {
            Exception? error = null;
            await using (var session = await sessions.StartAsync(context))
            {
                var visits = session.Get<int>("visits") + 1;
                var body = System.Text.Encoding.UTF8.GetBytes($"Visit {visits}");
                if (!chunked) context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
                try
                {
                    session.Set("visits", visits);
                }
                catch (InvalidOperationException ex)
                {
                    error = ex;
                }
                context.Response.Close();
            }
            handled.SetResult(error);   // after the session's commit
        });
        using var browser = ClientFor(server);

        var response = await browser.GetAsync("/");

        Assert.Equal("Visit 1", await response.Content.ReadAsStringAsync());
        var error = await handled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(error);
        Assert.Contains("before writing the response body", error.Message, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Equal(0, ((MemorySessionStore)sessions.Store).Count);   // the refused write stored nothing
    }

    [Fact]
    public async Task Two_lines_on_a_plain_HttpListener_work_on_the_cookie_store_too()
    {
        var options = new SatchelOptions();
        options.Secrets.Add(TestSetup.Secret);
        using var sessions = new SessionManager(options, new CookieSessionStore(options));
        await using var server = new ListenerServer(async context =>
        {
            await using var session = await sessions.StartAsync(context);
            var text = session["testValue"] is { } value ? $"Read back: {value}" : "Stored: reload the page.";
            session["testValue"] = "A session variable";
            if (context.Request.Url!.AbsolutePath == "/logout") session.Destroy();
            await ListenerServer.WriteTextAsync(context.Response, text);   // the response goes out before the session is disposed
        });
        using var browser = ClientFor(server);

        var first = await browser.GetAsync("/");
        Assert.Equal(["sid", "sid.data"], first.Headers.GetValues("Set-Cookie").Select(c => c[..c.IndexOf('=')]).Order());
        Assert.Equal("Read back: A session variable", await browser.GetStringAsync("/"));
        await browser.GetAsync("/logout");
        Assert.Equal("Stored: reload the page.", await browser.GetStringAsync("/"));
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task The_next_request_sees_the_save_even_when_the_store_saves_after_the_response_went_out()
    {
        // The store answers only after an asynchronous hop, so each save finishes after the
        // response is closed; the next request of the session must wait for it.
        var store = new AsyncStore(new MemorySessionStore());
        using var sessions = new SessionManager(new SatchelOptions(), store);
        await using var server = new ListenerServer(async context =>
        {
            await using var session = await sessions.StartAsync(context);
            var count = session.Get<int>("count") + 1;
            session.Set("count", count);
            await ListenerServer.WriteTextAsync(context.Response, count.ToString());
        });
        using var browser = ClientFor(server);

        for (var i = 1; i <= 30; i++) Assert.Equal(i.ToString(), await browser.GetStringAsync("/"));
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task Other_cookies_the_app_sets_survive_next_to_the_session_cookie()
    {
        using var sessions = new SessionManager();
        await using var server = new ListenerServer(async context =>
        {
            context.Response.Headers.Add("Set-Cookie", "theme=dark; Path=/");
            await using var session = await sessions.StartAsync(context);
            session["a"] = "1";
            await ListenerServer.WriteTextAsync(context.Response, "ok");
        });
        using var browser = ClientFor(server);
        var response = await browser.GetAsync("/");
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        Assert.Contains(cookies, c => c.StartsWith("theme=dark", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.StartsWith("sid=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logout_on_HttpListener_expires_the_cookie_and_the_old_cookie_is_dead()
    {
        using var sessions = new SessionManager();
        await using var server = new ListenerServer(async context =>
        {
            await using var session = await sessions.StartAsync(context);
            switch (context.Request.Url!.AbsolutePath)
            {
                case "/login": session["user"] = "ann"; break;
                case "/logout": session.Destroy(); break;
            }
            await ListenerServer.WriteTextAsync(context.Response, session["user"] ?? "none");
        });
        using var browser = ClientFor(server);
        var login = await browser.GetAsync("/login");
        var oldCookie = Assert.Single(login.Headers.GetValues("Set-Cookie")).Split(';')[0];
        var logout = await browser.GetAsync("/logout");
        Assert.Contains("Max-Age=0", Assert.Single(logout.Headers.GetValues("Set-Cookie")), StringComparison.Ordinal);

        using var replay = new HttpClient { BaseAddress = server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.Add("Cookie", oldCookie);
        Assert.Equal("none", await (await replay.SendAsync(request)).Content.ReadAsStringAsync());
        Assert.Equal(0, ((MemorySessionStore)sessions.Store).Count);
    }

    [Fact]
    public async Task On_HttpListener_a_client_without_cookies_keeps_its_session_through_the_token_header()
    {
        var options = new SatchelOptions { TokenHeader = "X-Session-Token" };
        using var sessions = new SessionManager(options);
        await using var server = new ListenerServer(async context =>
        {
            await using var session = await sessions.StartAsync(context);
            var visits = session.Get<int>("visits") + 1;
            session.Set("visits", visits);
            await ListenerServer.WriteTextAsync(context.Response, visits.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = server.BaseAddress };

        async Task<(string Body, string? Token)> VisitAsync(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/", UriKind.Relative));
            request.Headers.TryAddWithoutValidation("X-Session-Token", token);
            var response = await client.SendAsync(request);
            Assert.False(response.Headers.Contains("Set-Cookie"));
            return (await response.Content.ReadAsStringAsync(), response.Headers.TryGetValues("X-Session-Token", out var v) ? v.Single() : null);
        }

        var (first, token) = await VisitAsync("");
        Assert.Equal("1", first);
        Assert.False(string.IsNullOrEmpty(token));
        Assert.Equal(("2", (string?)null), await VisitAsync(token!));
        Assert.Equal("3", (await VisitAsync(token!)).Body);
        Assert.Empty(server.Errors);
    }
}
