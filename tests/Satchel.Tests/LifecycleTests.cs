using Satchel.Tests.Support;

namespace Satchel.Tests;

public class LifecycleTests
{
    [Fact]
    public async Task Regenerate_gives_a_new_token_keeps_the_data_and_kills_the_old_token_at_once()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["cart"] = "3 items");
        var oldCookie = browser.Value!;
        var oldId = await browser.RequestAsync(s => s.Id);

        var session = browser.Open();
        await session.RegenerateAsync();
        // Dead before this request even commits:
        Assert.True(setup.Manager.Open($"sid={oldCookie}", false, null).IsNew);
        session.UserId = "ann";
        await session.CommitAsync();
        browser.Absorb(browser.LastSink);

        Assert.NotEqual(oldCookie, browser.Value);
        Assert.NotEqual(oldId, await browser.RequestAsync(s => s.Id));
        Assert.Equal("3 items", await browser.RequestAsync(s => s["cart"]));
        Assert.Equal("ann", await browser.RequestAsync(s => s.UserId));
        Assert.Equal(1, setup.Memory.Count);
    }

    [Fact]
    public async Task Destroy_deletes_the_record_expires_the_cookie_and_the_old_cookie_stays_dead()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        var oldCookie = browser.Value!;

        await browser.RequestAsync(s => s.Destroy());
        var (_, maxAge) = CookieJar.Parse(browser.LastSink.Current!);
        Assert.Equal(0, maxAge);
        Assert.Null(browser.Value);
        Assert.Equal(0, setup.Memory.Count);

        var replay = setup.Manager.Open($"sid={oldCookie}", false, cookieSink: new RecordingCookieSink());
        Assert.True(replay.IsNew);
        Assert.Null(replay["a"]);
    }

    [Fact]
    public async Task Destroy_without_reading_deletes_without_loading()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        var loads = setup.Store.Loads;
        await browser.RequestAsync(s => s.Destroy());
        Assert.Equal(loads, setup.Store.Loads);
        Assert.Equal(0, setup.Memory.Count);
    }

    [Fact]
    public async Task Writing_after_destroy_starts_a_new_session_with_a_new_token()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        var oldCookie = browser.Value;
        await browser.RequestAsync(s => { s.Destroy(); s["flash"] = "Signed out"; });
        Assert.NotNull(browser.Value);
        Assert.NotEqual(oldCookie, browser.Value);
        Assert.Equal("Signed out", await browser.RequestAsync(s => s["flash"]));
        Assert.Null(await browser.RequestAsync(s => s["a"]));
        Assert.Equal(1, setup.Memory.Count);
    }

    [Fact]
    public async Task Remember_me_sends_a_persistent_cookie_whose_max_age_rolls_and_never_passes_the_session_end()
    {
        var setup = new TestSetup(o => { o.AbsoluteTimeout = TimeSpan.FromDays(60); o.TouchInterval = TimeSpan.FromMinutes(1); });
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => { s["u"] = "ann"; s.RememberMe(TimeSpan.FromDays(30)); });
        Assert.Equal((long)TimeSpan.FromDays(30).TotalSeconds, CookieJar.Parse(browser.LastSink.Current!).MaxAge);

        setup.Time.Advance(TimeSpan.FromDays(10));
        Assert.Equal("ann", await browser.RequestAsync(s => s["u"]));   // read-only: the store refreshed, the cookie rolls
        Assert.Equal((long)TimeSpan.FromDays(30).TotalSeconds, CookieJar.Parse(browser.LastSink.Current!).MaxAge);

        // 50 days in: 10 days left before the 60-day absolute deadline, so Max-Age says 10 days.
        setup.Time.Advance(TimeSpan.FromDays(29));
        await browser.RequestAsync(s => s["u"]);
        setup.Time.Advance(TimeSpan.FromDays(11));
        await browser.RequestAsync(s => s["u"]);
        Assert.Equal((long)TimeSpan.FromDays(10).TotalSeconds, CookieJar.Parse(browser.LastSink.Current!).MaxAge);

        setup.Time.Advance(TimeSpan.FromDays(10));
        Assert.Null(await browser.RequestAsync(s => s["u"]));
    }

    [Fact]
    public async Task Remember_me_extends_a_shorter_absolute_lifetime_to_its_own()
    {
        var setup = new TestSetup(o => o.AbsoluteTimeout = TimeSpan.FromHours(24));
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => { s["u"] = "ann"; s.RememberMe(TimeSpan.FromDays(7)); });
        Assert.Equal((long)TimeSpan.FromDays(7).TotalSeconds, CookieJar.Parse(browser.LastSink.Current!).MaxAge);
        setup.Time.Advance(TimeSpan.FromDays(3));
        Assert.Equal("ann", await browser.RequestAsync(s => s["u"]));
    }

    [Fact]
    public void Remember_me_rejects_a_lifetime_that_is_not_positive()
    {
        var session = new TestSetup().NewBrowser().Open();
        Assert.Throws<ArgumentOutOfRangeException>(() => session.RememberMe(TimeSpan.Zero));
    }

    [Fact]
    public async Task Remember_me_rolls_on_a_read_only_request_in_real_time()
    {
        // Real time, not a fake clock: a store that keeps coarser times than the clock must still
        // say it refreshed the expiry, so the cookie's Max-Age moves with it.
        using var manager = RememberMeRolls.Manager(TestSetup.Secret);
        await RememberMeRolls.AssertAsync(manager);
    }
}
