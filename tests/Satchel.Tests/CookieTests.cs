using Satchel.Tests.Support;

namespace Satchel.Tests;

public class CookieTests
{
    private static List<string> Values(string header, string name)
    {
        var list = new List<string>();
        foreach (var v in SessionCookie.Values(header, name)) list.Add(v.ToString());
        return list;
    }

    [Fact]
    public void Cookie_names_match_exactly_and_are_not_percent_decoded()
    {
        Assert.Equal(["a"], Values("other=x; sid=a; sidx=b; xsid=c", "sid"));
        Assert.Empty(Values("__%48ost-sid=forged", "__Host-sid"));
        Assert.Empty(Values("SID=upper", "sid"));
        Assert.Equal(["q"], Values("sid=\"q\"", "sid"));
        Assert.Empty(Values("", "sid"));
        Assert.Empty(Values(";;=;sid;", "sid"));
    }

    [Fact]
    public void Duplicate_cookies_are_all_seen_in_header_order()
    {
        Assert.Equal(["first", "second"], Values("sid=first; other=1; sid=second", "sid"));
    }

    [Fact]
    public async Task Of_duplicate_session_cookies_the_first_validly_signed_one_wins()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["k"] = "v");
        var good = browser.Value!;

        var session = setup.Manager.Open($"sid=forged-value; sid={good}; sid=another", false, cookieSink: new RecordingCookieSink());
        Assert.Equal("v", session["k"]);
    }

    [Fact]
    public void Set_cookie_defaults_are_HttpOnly_SameSite_Lax_Path_root_and_Secure_only_over_https()
    {
        var options = new SessionCookieOptions();
        Assert.Equal("sid=v; Path=/; HttpOnly; SameSite=Lax", SessionCookie.Build(options, "v", secure: false, maxAge: null));
        // Max-Age to the nearest second: a cookie built a few ms after RememberMe(14 days) still says 14 days.
        Assert.Equal("sid=v; Max-Age=60; Path=/; Secure; HttpOnly; SameSite=Lax", SessionCookie.Build(options, "v", secure: true, maxAge: TimeSpan.FromSeconds(60.3)));
        Assert.Equal("sid=v; Max-Age=1209600; Path=/; Secure; HttpOnly; SameSite=Lax", SessionCookie.Build(options, "v", secure: true, maxAge: TimeSpan.FromDays(14) - TimeSpan.FromMilliseconds(3)));
        Assert.Equal("sid=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax", SessionCookie.Expired(options, secure: false));
    }

    [Fact]
    public async Task The_host_prefix_option_names_the_cookie_and_forces_Secure()
    {
        var setup = new TestSetup(o => o.Cookie.UseHostPrefix = true);
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["k"] = "v");
        var header = browser.LastSink.Current!;
        Assert.StartsWith("__Host-sid=", header, StringComparison.Ordinal);
        Assert.Contains("; Secure", header, StringComparison.Ordinal);
        Assert.Contains("; Path=/", header, StringComparison.Ordinal);
        Assert.DoesNotContain("Domain", header, StringComparison.Ordinal);

        var forged = setup.Manager.Open($"__%48ost-sid={browser.Value}", false, cookieSink: new RecordingCookieSink());
        Assert.True(forged.IsNew);
        var real = setup.Manager.Open($"__Host-sid={browser.Value}", false, cookieSink: new RecordingCookieSink());
        Assert.Equal("v", real["k"]);
    }
}
