using System.Text;
using Satchel.Tests.Support;

namespace Satchel.Tests;

/// <summary>Counters and compare-and-set through the session: parallel requests, no exclusive session, nothing lost.</summary>
public sealed class OneStepValueTests
{
    [Fact]
    public async Task A_hundred_parallel_requests_each_count_once_without_an_exclusive_session()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["user"] = "ann");
        var cookie = browser.Value;

        var sums = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
        {
            var session = setup.Manager.Open($"sid={cookie}", isHttps: false);
            var sum = await session.IncrementAsync("hits");
            session[$"seen{i}"] = "1";   // and an ordinary write beside it, saved by the commit
            await session.CommitAsync();
            return sum;
        })));

        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), sums.Order());
        var (hits, keys) = await browser.RequestAsync(s => (s.Get<long>("hits"), s.Keys.Count));
        Assert.Equal(100, hits);
        Assert.Equal(102, keys);
    }

    [Fact]
    public async Task An_increment_reads_back_in_the_same_request_and_a_new_session_counts_locally_until_its_commit()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        Assert.Equal(2, await browser.RequestAsync(async s =>
        {
            await s.IncrementAsync("n");
            return await s.IncrementAsync("n");   // a new session: an ordinary change, twice
        }));
        Assert.Equal(0, setup.Store.Updates);
        Assert.Equal((5, 5L), await browser.RequestAsync(async s => (await s.IncrementAsync("n", 3), s.Get<long>("n"))));
        Assert.Equal(5, await browser.RequestAsync(s => s.Get<long>("n")));
    }

    [Fact]
    public async Task A_count_on_a_session_not_loaded_yet_costs_one_store_call_and_no_load()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s.Set("n", 1));
        var loads = setup.Store.Loads;
        Assert.Equal(2, await browser.RequestAsync(async s => await s.IncrementAsync("n")));
        Assert.Equal(loads, setup.Store.Loads);
        Assert.Equal(0, setup.Store.Updates);
        Assert.Equal(2, await browser.RequestAsync(s => s.Get<long>("n")));
    }

    [Fact]
    public async Task Misuse_says_what_to_do()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => { s["text"] = "x"; s["n"] = "1"; });
        await browser.RequestAsync(async s =>
        {
            var notANumber = await Assert.ThrowsAsync<InvalidOperationException>(async () => await s.IncrementAsync("text"));
            Assert.Contains("not a whole number", notANumber.Message, StringComparison.Ordinal);
            s.Set("n", 7);
            var changed = await Assert.ThrowsAsync<InvalidOperationException>(async () => await s.IncrementAsync("n"));
            Assert.Contains("already changed in this request", changed.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Replace_claims_a_value_once_among_parallel_requests_and_reads_back_what_the_store_holds()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["state"] = "open");
        var cookie = browser.Value;

        var wins = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            var session = setup.Manager.Open($"sid={cookie}", isHttps: false);
            var won = await session.ReplaceAsync("state", "open", $"taken by {i}");
            var now = session["state"];
            await session.CommitAsync();
            return (won, now);
        })));
        var winner = Assert.Single(wins, w => w.won);
        Assert.All(wins, w => Assert.Equal(winner.now, w.now));   // the losers read the winner's value
        Assert.Equal(winner.now, await browser.RequestAsync(s => s["state"]));
        Assert.True(await browser.RequestAsync(async s => await s.ReplaceJsonAsync("absent", null, Encoding.UTF8.GetBytes("1"))));
    }

    [Fact]
    public async Task An_increment_on_a_session_destroyed_meanwhile_starts_a_new_one_and_never_revives_the_old()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["n"] = "5");
        var old = browser.Value;
        var slow = setup.Manager.Open($"sid={old}", isHttps: false, cookieSink: new RecordingCookieSink());
        await slow.LoadAsync();
        await browser.RequestAsync(s => s.Destroy());

        Assert.Equal(1, await slow.IncrementAsync("n"));
        await slow.CommitAsync();
        Assert.True(setup.Manager.Open($"sid={old}", isHttps: false).IsNew);
    }

    [Fact]
    public async Task A_store_that_cannot_says_so_at_the_call_or_at_start_up()
    {
        var options = new SatchelOptions();
        options.Secrets.Add(TestSetup.Secret);
        var session = new SessionManager(options, new CookieSessionStore(options)).Open(null, false);
        var call = await Assert.ThrowsAsync<NotSupportedException>(async () => await session.IncrementAsync("n"));
        Assert.Contains("CookieSessionStore", call.Message, StringComparison.Ordinal);

        options.RequireOneStepValues = true;
        var startup = Assert.Throws<InvalidOperationException>(() => new SessionManager(options, new CookieSessionStore(options)));
        Assert.Contains("RequireOneStepValues", startup.Message, StringComparison.Ordinal);
        using var memory = new SessionManager(options);   // the memory store can
    }
}
