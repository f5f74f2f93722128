using Satchel.Tests.Support;

namespace Satchel.Tests;

/// <summary>The remember-me roll as a user meets it, shared by the memory and Redis tests.</summary>
public static class RememberMeRolls
{
    /// <summary>
    /// A manager on real time that never runs backwards (<see cref="SteadyClock"/>), with a short
    /// touch interval and no absolute lifetime, so a rolled cookie's Max-Age is the whole
    /// remember-me lifetime again.
    /// </summary>
    public static SessionManager Manager(string secret, ISessionStore? store = null)
    {
        var options = new SatchelOptions { TouchInterval = TimeSpan.FromMilliseconds(200), AbsoluteTimeout = null };
        options.Secrets.Add(secret);
        return new SessionManager(options, store, new SteadyClock());
    }

    public static async Task AssertAsync(SessionManager manager)
    {
        var browser = new CookieJar(manager);
        await browser.RequestAsync(s => { s["u"] = "ann"; s.RememberMe(TimeSpan.FromDays(1)); });
        Assert.Contains("Max-Age=86400", browser.LastSink.Current, StringComparison.Ordinal);
        var first = browser.Value;

        await Task.Delay(manager.Options.TouchInterval * 2);   // time on a SteadyClock only moves forward: past the interval on any machine
        Assert.Equal("ann", await browser.RequestAsync(s => s["u"]));
        var rolled = browser.LastSink.Current;
        Assert.NotNull(rolled);
        Assert.Contains("Max-Age=86400", rolled, StringComparison.Ordinal);
        Assert.Equal(first, browser.Value);   // the same session, its cookie sent again with a fresh lifetime
    }
}
