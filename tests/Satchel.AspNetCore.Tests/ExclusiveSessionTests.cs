using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Satchel.AspNetCore.Tests.Support;

namespace Satchel.AspNetCore.Tests;

public class ExclusiveSessionTests
{
    private static void CounterEndpoints(WebApplication app, TaskCompletionSource? gate = null, TaskCompletionSource? holding = null)
    {
        app.MapGet("/start", (Session s) => s.Set("n", 0));
        app.MapGet("/increment", async (Session s) =>
        {
            var n = s.Get<int>("n");
            await Task.Yield();   // widen the window between read and write
            s.Set("n", n + 1);
        }).RequireExclusiveSession();
        app.MapGet("/hold", async (Session s) =>
        {
            s.Set("held", true);
            holding?.TrySetResult();
            await gate!.Task;
        }).RequireExclusiveSession();
        app.MapGet("/read", (Session s) => s.Get<int>("n")).WithReadOnlySession();
        app.MapGet("/read-then-write", (Session s) => s.Set("n", 99)).WithReadOnlySession();
    }

    [Fact]
    public async Task A_hundred_parallel_increments_of_one_counter_end_at_a_hundred()
    {
        await using var app = await SatchelApp.StartAsync(a => CounterEndpoints(a));
        using var browser = app.NewBrowser();
        await browser.GetStringAsync("/start");
        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => browser.GetAsync("/increment")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal("100", await browser.GetStringAsync("/read"));
    }

    [Fact]
    public async Task A_request_that_waits_too_long_fails_clearly_and_read_only_endpoints_never_wait()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await SatchelApp.StartAsync(a => CounterEndpoints(a, gate, holding), o => o.ExclusiveTimeout = TimeSpan.FromMilliseconds(300));
        using var browser = app.NewBrowser();
        await browser.GetStringAsync("/start");

        var holder = browser.GetAsync("/hold");
        await holding.Task.WaitAsync(TimeSpan.FromSeconds(10));   // /hold has the session
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await browser.GetAsync("/increment")).StatusCode);
        Assert.Equal("0", await browser.GetStringAsync("/read"));   // while /hold still holds the session
        gate.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await holder).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/increment")).StatusCode);
        Assert.Equal("1", await browser.GetStringAsync("/read"));
    }

    [Fact]
    public async Task A_write_on_a_read_only_endpoint_throws_a_clear_exception()
    {
        await using var app = await SatchelApp.StartAsync(a => CounterEndpoints(a));
        using var browser = app.NewBrowser();
        await browser.GetStringAsync("/start");
        Assert.Equal(HttpStatusCode.InternalServerError, (await browser.GetAsync("/read-then-write")).StatusCode);
        Assert.Contains(app.Logs.Lines, l => l.Exception?.Message.Contains("declared its session read-only", StringComparison.Ordinal) == true);
        Assert.Equal("0", await browser.GetStringAsync("/read"));
    }
}
