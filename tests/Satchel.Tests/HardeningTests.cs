using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Satchel.Tests.Support;

namespace Satchel.Tests;

/// <summary>What a hostile or unlucky day does to the core: each test failed before its fix.</summary>
public class HardeningTests
{
    private static string Json(int bytes) => new('x', bytes - 2);   // a JSON string of exactly this many bytes

    [Fact]
    public async Task A_write_past_the_total_session_size_fails_at_the_write_and_keeps_what_fit()
    {
        var setup = new TestSetup(o => o.MaxSessionBytes = 200 * 1024);
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => { for (var i = 0; i < 3; i++) s[$"v{i}"] = Json(60 * 1024); });
        var ex = await Assert.ThrowsAsync<SessionLimitExceededException>(() => browser.RequestAsync(s => s["v3"] = Json(60 * 1024)));
        Assert.Contains("MaxSessionBytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'v3'", ex.Message, StringComparison.Ordinal);

        // What is stored counts, not only this request; replacing a value with a smaller one is fine.
        await browser.RequestAsync(s => s["v0"] = "small");
        await browser.RequestAsync(s => s["v3"] = Json(50 * 1024));
        Assert.Equal(["v0", "v1", "v2", "v3"], await browser.RequestAsync(s => s.Keys.Order().ToArray()));
        Assert.Equal(256 * 1024, new SatchelOptions().MaxSessionBytes);
    }

    [Fact]
    public void A_key_limit_below_32_characters_still_throws_the_documented_exception()
    {
        var setup = new TestSetup(o => o.MaxKeyLength = 10);
        var session = setup.NewBrowser().Open();
        var ex = Assert.Throws<SessionLimitExceededException>(() => session["elevenchars"] = "x");
        Assert.Contains("MaxKeyLength", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_header_stuffed_with_forged_duplicates_checks_only_a_few_of_them()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        var forged = string.Join("; ", Enumerable.Range(0, 170).Select(_ => $"sid={setup.Manager.Runtime.Cookies.KeyRing.Sign(SessionToken.NewToken())[..^2]}AA"));

        var before = setup.Manager.Runtime.Cookies.KeyRing.Verifications;
        Assert.True(setup.Manager.Open(forged + $"; sid={browser.Value}", false).IsNew);
        Assert.InRange(setup.Manager.Runtime.Cookies.KeyRing.Verifications - before, 1, RequestCookie.MaxCandidates);

        // A browser's own cookie among a few others still wins.
        Assert.Equal("1", setup.Manager.Open($"sid=stale; sid={browser.Value}", false)["a"]);
    }

    [Fact]
    public async Task After_a_key_rotation_a_cookie_signed_with_the_retired_key_is_signed_again_with_the_current_one()
    {
        var store = new MemorySessionStore();
        const string Old = "old-secret-0123456789-abcdefghijklmnopqrstuvwxyz", New = "new-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
        SessionManager Manager(params string[] secrets)
        {
            var options = new SatchelOptions();
            foreach (var secret in secrets) options.Secrets.Add(secret);
            return new SessionManager(options, store);
        }
        var browser = new CookieJar(Manager(Old));
        await browser.RequestAsync(s => s["a"] = "1");

        // Rotated: the new key signs, the old one still verifies. A read-only request re-signs.
        var rotated = new CookieJar(Manager(New, Old)) { Value = browser.Value };
        Assert.Equal("1", await rotated.RequestAsync(s => s["a"]));
        Assert.NotNull(rotated.LastSink.Current);
        Assert.NotEqual(browser.Value, rotated.Value);
        Assert.Equal(browser.Value![..SessionToken.Length], rotated.Value![..SessionToken.Length]);   // the same session

        // Once the old key is removed, the re-signed cookie still works.
        var retired = new CookieJar(Manager(New)) { Value = rotated.Value };
        Assert.Equal("1", await retired.RequestAsync(s => s["a"]));
        Assert.Null(retired.LastSink.Current);   // signed with the current key: nothing to re-send
    }

    [Fact]
    public void A_flood_of_invalid_cookies_from_many_addresses_costs_bounded_work_and_memory()
    {
        var time = new FakeTimeProvider();
        var tracker = new InvalidCookieTracker(new SatchelOptions(), time, NullLogger.Instance);
        for (var i = 0; i < InvalidCookieTracker.MaxClients + 2_000; i++) tracker.Reject($"198.51.{i / 65536}.{i % 65536}", "forged", refusable: true);

        // Every window is still live, so nothing can be pruned: pruning once is all it may cost.
        Assert.InRange(tracker.PruneVisits, InvalidCookieTracker.MaxClients, 2L * InvalidCookieTracker.MaxClients);
        Assert.Equal(InvalidCookieTracker.MaxClients, tracker.Tracked);

        // Once the windows end, the table empties out again for new clients.
        time.Advance(TimeSpan.FromMinutes(2));
        tracker.Reject("203.0.113.1", "forged", refusable: true);
        Assert.Equal(1, tracker.Tracked);
    }

    [Fact]
    public async Task The_memory_store_full_of_signed_in_users_refuses_new_sessions_and_keeps_serving_the_others()
    {
        long refused = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Name == "satchel.memory_store.refused") l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref refused, value));
        listener.Start();

        var time = new FakeTimeProvider();
        using var store = new MemorySessionStore(new MemorySessionStoreOptions { MaxSessions = 10 }, time);
        var setup = new TestSetup(store: store);
        var browsers = Enumerable.Range(0, 10).Select(_ => setup.NewBrowser()).ToArray();
        foreach (var b in browsers) await b.RequestAsync(s => { s["a"] = "1"; s.UserId = "ann"; });

        var late = setup.NewBrowser();
        var ex = await Assert.ThrowsAsync<SessionStoreException>(() => late.RequestAsync(s => s["a"] = "1"));
        Assert.Contains("MaxSessions", ex.Message, StringComparison.Ordinal);
        Assert.Null(late.Value);
        Assert.Equal(1, Interlocked.Read(ref refused));
        Assert.Equal(10, store.Count);

        await browsers[0].RequestAsync(s => s["b"] = "2");   // existing sessions go on
        Assert.Equal("2", await browsers[0].RequestAsync(s => s["b"]));
        await browsers[1].RequestAsync(s => s.Destroy());
        await late.RequestAsync(s => s["a"] = "1");           // room again
        Assert.NotNull(late.Value);
    }

    [Fact]
    public async Task A_flood_of_anonymous_sessions_at_the_memory_cap_evicts_the_idlest_anonymous_ones_and_never_blocks_sign_in()
    {
        // One client sending no cookie used to fill the store, then new visitors and sign-ins got
        // 503 until the flood's sessions idled out.
        long evicted = 0, refused = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Name.StartsWith("satchel.memory_store.", StringComparison.Ordinal)) l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Interlocked.Add(ref instrument.Name.EndsWith("evicted", StringComparison.Ordinal) ? ref evicted : ref refused, value));
        listener.Start();

        var time = new FakeTimeProvider();
        using var store = new MemorySessionStore(new MemorySessionStoreOptions { MaxSessions = 100 }, time);
        var setup = new TestSetup(store: store);
        // The records' times come from the manager's clock, the sweep's from the store's: both move.
        void Advance(TimeSpan by)
        {
            time.Advance(by);
            setup.Time.Advance(by);
        }
        var signedIn = Enumerable.Range(0, 20).Select(_ => setup.NewBrowser()).ToArray();
        foreach (var (b, i) in signedIn.Select((b, i) => (b, i))) await b.RequestAsync(s => { s["cart"] = "x"; s.UserId = $"user{i}"; });
        var visitor = setup.NewBrowser();
        await visitor.RequestAsync(s => s["cart"] = "2 books");
        Advance(TimeSpan.FromSeconds(1));

        for (var i = 0; i < 1_000; i++)
        {
            await setup.NewBrowser().RequestAsync(s => s["flood"] = "1");
            Advance(TimeSpan.FromMilliseconds(1));
        }

        // Sign-in still works: the regenerated session is created and kept.
        var signingIn = setup.NewBrowser();
        await signingIn.RequestAsync(s => s["cart"] = "1 book");
        await signingIn.RegenerateAsync();
        await signingIn.RequestAsync(s => s.UserId = "late");
        Assert.Equal(("late", "1 book"), await signingIn.RequestAsync(s => (s.UserId, s["cart"])));
        Assert.Equal(0, Interlocked.Read(ref refused));
        Assert.InRange(store.Count, 1, 100);
        Assert.True(Interlocked.Read(ref evicted) >= 900, $"evicted {evicted}");
        // Every signed-in session survived the flood; the anonymous visitor idle the longest went first.
        foreach (var (b, i) in signedIn.Select((b, i) => (b, i))) Assert.Equal($"user{i}", await b.RequestAsync(s => s.UserId));
        Assert.Null(await visitor.RequestAsync(s => s["cart"]));
    }

    [Fact]
    public async Task A_cancelled_commit_saves_nothing_sends_no_cookie_and_can_be_tried_again()
    {
        var memory = new MemorySessionStore();
        var setup = new TestSetup(store: new AsyncStore(memory));
        var sink = new RecordingCookieSink();
        var session = setup.Manager.Open(null, false, cookieSink: sink);
        session["a"] = "1";
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await session.CommitAsync(new CancellationToken(canceled: true)));
        Assert.Null(sink.Current);
        Assert.Equal(0, memory.Count);

        await session.CommitAsync();
        Assert.NotNull(sink.Current);
        Assert.Equal(1, memory.Count);
    }

    [Fact]
    public async Task A_regeneration_whose_old_record_cannot_be_deleted_still_hands_out_the_new_token()
    {
        var store = new AsyncStore(new MemorySessionStore());
        var setup = new TestSetup(store: store);
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["cart"] = "3 items");
        var before = browser.Value;

        store.FailDeletes = true;
        await browser.RegenerateAsync();   // no exception: the new record exists, the old one expires by itself
        Assert.NotEqual(before, browser.Value);
        Assert.Equal("3 items", await browser.RequestAsync(s => s["cart"]));
        Assert.Single(setup.Logs.At(LogLevel.Warning), l => l.EventId.Id == 13 && l.Exception?.Message == FailingStore.Error);
    }

    [Fact]
    public async Task A_failed_save_after_a_regeneration_still_sends_the_new_cookie()
    {
        var store = new AsyncStore(new MemorySessionStore());
        var setup = new TestSetup(store: store);
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["cart"] = "3 items");

        var before = browser.Value;
        var session = browser.Open();
        await session.RegenerateAsync();    // the old record is deleted; only the new token holds the data
        session["b"] = "2";
        store.FailUpdates = true;           // and the save of the rest fails
        await Assert.ThrowsAsync<SessionStoreException>(async () => await session.CommitAsync());
        browser.Absorb(browser.LastSink);
        Assert.NotEqual(before, browser.Value);
        store.FailUpdates = false;
        Assert.Equal("3 items", await browser.RequestAsync(s => s["cart"]));
    }

    [Fact]
    public async Task A_request_that_never_touches_its_session_keeps_it_alive_with_one_store_call_per_touch_interval()
    {
        var setup = new TestSetup(o => { o.IdleTimeout = TimeSpan.FromMinutes(30); o.TouchInterval = TimeSpan.FromMinutes(1); });
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");

        // Pages that never read the session, every 20 minutes for two hours: it stays alive.
        for (var i = 0; i < 6; i++)
        {
            setup.Time.Advance(TimeSpan.FromMinutes(20));
            var loads = setup.Store.Loads;
            await browser.RequestAsync(_ => { });
            Assert.Equal(loads + 1, setup.Store.Loads);
            // A burst of untouched requests within the interval costs nothing more.
            for (var j = 0; j < 5; j++) await browser.RequestAsync(_ => { });
            Assert.Equal(loads + 1, setup.Store.Loads);
        }
        Assert.Equal("1", await browser.RequestAsync(s => s["a"]));

        // A request without a session cookie costs no store call at all.
        var loadsBefore = setup.Store.Loads;
        await setup.NewBrowser().RequestAsync(_ => { });
        Assert.Equal(loadsBefore, setup.Store.Loads);
    }
}
