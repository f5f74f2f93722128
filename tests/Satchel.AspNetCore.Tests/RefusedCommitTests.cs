using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Satchel.AspNetCore.Tests.Support;

namespace Satchel.AspNetCore.Tests;

/// <summary>A commit the session cannot make never answers like a success.</summary>
public class RefusedCommitTests
{
    [Theory]
    [InlineData("/result")]
    [InlineData("/write")]
    public async Task A_new_session_refused_at_the_memory_cap_answers_503_without_the_handlers_body(string path)
    {
        // Seen: at the cap, /login answered 503 with Retry-After and the body "ok".
        await using var app = await SatchelApp.StartAsync(a =>
        {
            a.MapGet("/result", (Session s, string user) => { s.UserId = user; return "ok"; });
            a.MapGet("/write", async (HttpContext http, string user) =>
            {
                http.GetSession().UserId = user;
                await http.Response.WriteAsync("ok");
            });
        }, store: b => b.UseMemory(o => o.MaxSessions = 2));
        using var client = app.NewRawClient();
        Assert.Equal("ok", await client.GetStringAsync($"{path}?user=ann"));
        Assert.Equal("ok", await client.GetStringAsync($"{path}?user=bob"));

        using var refused = await client.GetAsync($"{path}?user=eve");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("5", refused.Headers.RetryAfter?.ToString());
        Assert.Equal("", await refused.Content.ReadAsStringAsync());
        Assert.False(refused.Headers.Contains("Set-Cookie"));
        Assert.DoesNotContain(app.Logs.At(LogLevel.Error), l => l.Message.Contains("Content-Length", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Writes_committed_after_a_regenerate_answer_409_and_none_is_acknowledged_and_lost()
    {
        // Seen: 20 writers with the old cookie, one request regenerating: all 20 answered 200 and
        // none of their keys was in the regenerated session.
        var regenerated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loaded = 0;
        var allLoaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await SatchelApp.StartAsync(a =>
        {
            a.MapGet("/start", (Session s) => s["cart"] = "1 book");
            a.MapGet("/write/{n}", async (Session s, int n) =>
            {
                // Loaded with the old cookie; written only once the regenerate is done.
                if (Interlocked.Increment(ref loaded) == 20) allLoaded.SetResult();
                await regenerated.Task;
                s[$"k{n}"] = "v";
                return "written";
            });
            a.MapGet("/regenerate", async (Session s) => { await s.RegenerateAsync(); return "ok"; });
            a.MapGet("/keys", (Session s) => string.Join(",", s.Keys.Order()));
        });
        using var client = app.NewRawClient();
        using var start = await client.GetAsync("/start");
        var oldCookie = start.Headers.GetValues("Set-Cookie").Single().Split(';')[0];

        var writers = Enumerable.Range(0, 20).Select(async n =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/write/{n}");
            request.Headers.Add("Cookie", oldCookie);
            using var response = await client.SendAsync(request);
            return (n, response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }).ToArray();
        await allLoaded.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using var regenerate = new HttpRequestMessage(HttpMethod.Get, "/regenerate");
        regenerate.Headers.Add("Cookie", oldCookie);
        using var signIn = await client.SendAsync(regenerate);
        var newCookie = signIn.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        regenerated.SetResult();
        var results = await Task.WhenAll(writers);

        using var keysRequest = new HttpRequestMessage(HttpMethod.Get, "/keys");
        keysRequest.Headers.Add("Cookie", newCookie);
        var keys = (await (await client.SendAsync(keysRequest)).Content.ReadAsStringAsync()).Split(',');
        Assert.Equal(["cart"], keys);
        Assert.All(results, r => Assert.Equal((HttpStatusCode.Conflict, ""), (r.StatusCode, r.Body)));
        Assert.Equal(20, app.Logs.Lines.Count(l => l.EventId.Id == 10 && l.Level == LogLevel.Warning));
    }
}
