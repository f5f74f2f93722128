using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Satchel.AspNetCore.Tests.Support;

namespace Satchel.AspNetCore.Tests;

/// <summary>
/// SatchelOptions.TokenHeader: API and mobile clients that keep no cookies carry the session token in
/// a header, with the cookie's signing, strictness and rotation, over real Kestrel.
/// </summary>
public sealed class HeaderTokenTests
{
    private const string Header = "X-Session-Token";

    private static Task<SatchelApp> StartAsync() => SatchelApp.StartAsync(
        a =>
        {
            a.MapGet("/count", (Session s) => s.Set("n", s.Get<int>("n") + 1));
            a.MapGet("/n", (Session s) => s.Get<int>("n"));
            a.MapGet("/login", async (Session s) => await s.RegenerateAsync());
            a.MapGet("/logout", (Session s) => s.Destroy());
        },
        configure: o => o.TokenHeader = Header);

    private static async Task<(HttpResponseMessage Response, string Body)> SendAsync(HttpClient client, string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (token is not null) request.Headers.TryAddWithoutValidation(Header, token);
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response, await response.Content.ReadAsStringAsync());
    }

    private static string? TokenOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues(Header, out var values) ? Assert.Single(values) : null;

    [Fact]
    public async Task A_client_that_sends_the_header_empty_gets_its_token_in_the_header_and_no_cookie()
    {
        await using var app = await StartAsync();
        using var client = app.NewRawClient();
        var (first, _) = await SendAsync(client, "/count", "");
        var token = TokenOf(first);
        Assert.False(string.IsNullOrEmpty(token));
        Assert.False(first.Headers.Contains("Set-Cookie"));
        Assert.Equal("no-store", first.Headers.CacheControl?.ToString());

        var (second, _) = await SendAsync(client, "/count", token);
        Assert.Null(TokenOf(second));   // nothing new to hand out
        Assert.Equal("2", (await SendAsync(client, "/n", token)).Body);
    }

    [Fact]
    public async Task Regenerating_hands_out_a_new_token_and_the_old_one_stops_working()
    {
        await using var app = await StartAsync();
        using var client = app.NewRawClient();
        var token = TokenOf((await SendAsync(client, "/count", "")).Response)!;
        var rotated = TokenOf((await SendAsync(client, "/login", token)).Response);
        Assert.False(string.IsNullOrEmpty(rotated));
        Assert.NotEqual(token, rotated);
        Assert.Equal("1", (await SendAsync(client, "/n", rotated)).Body);
        Assert.Equal("0", (await SendAsync(client, "/n", token)).Body);
    }

    [Fact]
    public async Task A_forged_or_unknown_token_is_no_session_and_never_adopted()
    {
        await using var app = await StartAsync();
        using var client = app.NewRawClient();
        var token = TokenOf((await SendAsync(client, "/count", "")).Response)!;

        var forged = token[..^2] + (token[^2] == 'A' ? "BB" : "AA");
        var (response, body) = await SendAsync(client, "/n", forged);
        Assert.Equal("0", body);
        Assert.Null(TokenOf(response));

        // Strict: a validly signed token the store does not know gets a fresh one, not its own back.
        await SendAsync(client, "/logout", token);
        var (afterLogout, _) = await SendAsync(client, "/count", token);
        var fresh = TokenOf(afterLogout);
        Assert.False(string.IsNullOrEmpty(fresh));
        Assert.NotEqual(token, fresh);
    }

    [Fact]
    public async Task Destroying_sends_the_header_back_empty()
    {
        await using var app = await StartAsync();
        using var client = app.NewRawClient();
        var token = TokenOf((await SendAsync(client, "/count", "")).Response)!;
        var (response, _) = await SendAsync(client, "/logout", token);
        Assert.Equal("", TokenOf(response));
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Equal("0", (await SendAsync(client, "/n", token)).Body);
    }

    [Fact]
    public async Task Requests_without_the_header_keep_using_the_cookie()
    {
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();
        var response = await browser.GetAsync(new Uri("/count", UriKind.Relative));
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("sid=", StringComparison.Ordinal));
        Assert.False(response.Headers.Contains(Header));
        Assert.Equal("1", await browser.GetStringAsync(new Uri("/n", UriKind.Relative)));
    }

    [Fact]
    public async Task A_cookie_token_is_not_accepted_in_the_header_unless_signed_and_a_header_token_works_as_a_cookie_value()
    {
        // One token format for both transports: a client may move between them (a web view handing over to native code).
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();
        var response = await browser.GetAsync(new Uri("/count", UriKind.Relative));
        var cookie = response.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("sid=", StringComparison.Ordinal)).Split(';')[0]["sid=".Length..];
        using var client = app.NewRawClient();
        Assert.Equal("1", (await SendAsync(client, "/n", cookie)).Body);
        Assert.Equal("0", (await SendAsync(client, "/n", cookie.Split('.')[0])).Body);   // the bare token, unsigned
    }
}
