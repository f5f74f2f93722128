using System.Security.Cryptography;
using Satchel.Tests.Support;

namespace Satchel.Tests;

public class StrictModeTests
{
    [Fact]
    public async Task A_thousand_random_cookies_create_no_store_records_and_never_throw()
    {
        var setup = new TestSetup();
        var random = new Random(7);
        for (var i = 0; i < 1000; i++)
        {
            var value = (i % 4) switch
            {
                0 => Convert.ToBase64String(RandomNumberGenerator.GetBytes(random.Next(1, 100))),
                1 => SessionToken.NewToken() + "." + SessionToken.NewToken(),       // well-formed, wrongly signed
                2 => new string((char)random.Next(1, 0xD7FF), random.Next(1, 200)),
                _ => SessionKeyRing.Random().Sign(SessionToken.NewToken()),       // signed by another app's key
            };
            var session = setup.Manager.Open($"sid={value}", false, cookieSink: new RecordingCookieSink());
            Assert.True(session.IsNew);
            Assert.Null(session["anything"]);
            await session.CommitAsync();
        }
        Assert.Equal(0, setup.Memory.Count);
        Assert.Equal(0, setup.Store.Commits);
        Assert.Equal(0, setup.Store.Loads);   // a bad signature never reaches the store
    }

    [Fact]
    public async Task A_validly_signed_but_unknown_token_is_not_adopted()
    {
        var setup = new TestSetup();
        var planted = setup.Manager.Runtime.Cookies.KeyRing.Sign(SessionToken.NewToken());
        var browser = setup.NewBrowser();
        browser.Value = planted;

        await browser.RequestAsync(s => s["a"] = "1");
        Assert.NotEqual(planted, browser.Value);
        Assert.Equal(1, setup.Memory.Count);
        Assert.True(setup.Manager.Open($"sid={planted}", false, null).IsNew);
    }

    [Fact]
    public async Task An_oversized_cookie_header_is_no_session()
    {
        var setup = new TestSetup();
        var session = setup.Manager.Open("x=" + new string('a', 20_000) + "; sid=abc", false, cookieSink: new RecordingCookieSink());
        Assert.True(session.IsNew);
        await session.CommitAsync();
        Assert.Contains(setup.Logs.Lines, l => l.EventId.Id == 1);
    }

    [Fact]
    public async Task No_log_line_ever_holds_a_token_or_a_cookie_value()
    {
        var setup = new TestSetup(o => o.TouchInterval = TimeSpan.Zero);
        var browser = setup.NewBrowser();
        var tokens = new List<string>();
        await browser.RequestAsync(s => s["a"] = "1");
        tokens.Add(browser.Value!);
        await browser.RegenerateAsync();
        tokens.Add(browser.Value!);
        await browser.RequestAsync(s => s.Destroy());
        setup.Manager.Open($"sid={tokens[0]}", false, null).Get<int>("x");

        Assert.NotEmpty(setup.Logs.Lines);
        foreach (var cookie in tokens)
        {
            Assert.DoesNotContain(cookie[..SessionToken.Length], setup.Logs.AllText, StringComparison.Ordinal);
            Assert.DoesNotContain(cookie[(SessionToken.Length + 1)..], setup.Logs.AllText, StringComparison.Ordinal);
        }
    }
}

public class VerifiedCookieCacheTests
{
    [Fact]
    public async Task A_remembered_cookie_still_maps_only_its_exact_value_and_a_destroyed_session_stays_dead()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        var good = browser.Value!;
        Assert.Equal("1", await browser.RequestAsync(s => s["a"]));   // verified, now remembered
        Assert.True(setup.Manager.Runtime.Cookies.Verified.TryGet(good, out _));

        var tampered = good[..^1] + (good[^1] == 'A' ? 'B' : 'A');
        Assert.True(setup.Manager.Open($"sid={tampered}", false, null).IsNew);
        Assert.False(setup.Manager.Runtime.Cookies.Verified.TryGet(tampered, out _));

        await browser.RequestAsync(s => s.Destroy());
        Assert.True(setup.Manager.Open($"sid={good}", false, null).IsNew);   // the store decides, not the cache
    }

    [Fact]
    public void Values_of_one_set_keep_the_two_newest_and_each_maps_only_to_its_own_token()
    {
        var cache = new VerifiedCookieCache();
        var (k1, k2) = (SessionKey.FromToken("t1"), SessionKey.FromToken("t2"));
        cache.Add("sameprefix.one", "t1", k1);
        cache.Add("sameprefix.two", "t2", k2);
        Assert.True(cache.TryGet("sameprefix.one", out var one));
        Assert.Equal(("t1", k1), (one.Token, one.Key));
        Assert.True(cache.TryGet("sameprefix.two", out var two));
        Assert.Equal(("t2", k2), (two.Token, two.Key));

        cache.Add("sameprefix.three", "t3", SessionKey.FromToken("t3"));
        Assert.False(cache.TryGet("sameprefix.one", out _));     // the oldest of the set made room
        Assert.True(cache.TryGet("sameprefix.two", out _));
        Assert.True(cache.TryGet("sameprefix.three", out var three));
        Assert.Equal("t3", three.Token);
        Assert.False(cache.TryGet("sameprefix.thre", out _));     // the whole value must match
        Assert.False(cache.TryGet("short", out _));
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public async Task The_cache_stays_bounded_and_correct_past_its_capacity()
    {
        var setup = new TestSetup();
        var browsers = Enumerable.Range(0, VerifiedCookieCache.Capacity + 1000).Select(_ => setup.NewBrowser()).ToArray();
        for (var i = 0; i < browsers.Length; i++)
        {
            var n = i;
            await browsers[i].RequestAsync(s => s.Set("n", n));
        }
        for (var i = 0; i < browsers.Length; i++) Assert.Equal(i, await browsers[i].RequestAsync(s => s.Get<int>("n")));
        Assert.True(setup.Manager.Runtime.Cookies.Verified.Count <= VerifiedCookieCache.Capacity);
    }
}
