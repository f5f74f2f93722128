using Satchel.Tests.Support;

namespace Satchel.Tests;

public class ExpiryTests
{
    [Fact]
    public void The_idle_timeout_defaults_to_30_minutes_and_the_absolute_lifetime_to_24_hours()
    {
        var options = new SatchelOptions();
        Assert.Equal(TimeSpan.FromMinutes(30), options.IdleTimeout);
        Assert.Equal(TimeSpan.FromHours(24), options.AbsoluteTimeout);
    }

    [Fact]
    public async Task A_session_idle_past_the_timeout_is_gone_whatever_the_cookie_says()
    {
        var setup = new TestSetup(o => o.IdleTimeout = TimeSpan.FromMinutes(30));
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        setup.Time.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal("1", await browser.RequestAsync(s => s["a"]));
        setup.Time.Advance(TimeSpan.FromMinutes(29));   // sliding: 29 minutes since the refresh
        Assert.Equal("1", await browser.RequestAsync(s => s["a"]));
        setup.Time.Advance(TimeSpan.FromMinutes(31));
        Assert.Null(await browser.RequestAsync(s => s["a"]));
    }

    [Fact]
    public async Task The_absolute_lifetime_ends_a_busy_session()
    {
        var setup = new TestSetup(o => { o.IdleTimeout = TimeSpan.FromMinutes(30); o.AbsoluteTimeout = TimeSpan.FromHours(2); });
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        for (var i = 0; i < 7; i++)
        {
            setup.Time.Advance(TimeSpan.FromMinutes(15));
            await browser.RequestAsync(s => s["a"] = i.ToString());
        }
        setup.Time.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal("6", await browser.RequestAsync(s => s["a"]));
        setup.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(await browser.RequestAsync(s => s["a"]));
    }

    [Fact]
    public async Task Without_an_absolute_lifetime_only_idleness_ends_a_session()
    {
        var setup = new TestSetup(o => o.AbsoluteTimeout = null);
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        for (var i = 0; i < 100; i++)
        {
            setup.Time.Advance(TimeSpan.FromMinutes(20));
            await browser.RequestAsync(s => s["a"]);
        }
        Assert.Equal("1", await browser.RequestAsync(s => s["a"]));
    }

    [Fact]
    public async Task The_memory_store_sweeps_expired_sessions_in_the_background()
    {
        var setup = new TestSetup();   // the memory store sweeps every minute by default
        for (var i = 0; i < 10; i++) await setup.NewBrowser().RequestAsync(s => s["a"] = "1");
        Assert.Equal(10, setup.Memory.Count);
        setup.Time.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(10, setup.Memory.Count);
        setup.Time.Advance(TimeSpan.FromMinutes(2));   // the timer fires on the fake clock
        Assert.Equal(0, setup.Memory.Count);
    }
}
