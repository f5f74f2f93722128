using Microsoft.Extensions.Logging;
using Satchel.Tests.Support;

namespace Satchel.Tests;

/// <summary>SatchelOptions.TokenHeader in the core: the same verification, throttling and limits as the cookie.</summary>
public class HeaderTokenTests
{
    private const string Header = "X-Session-Token";

    [Fact]
    public void A_forged_header_token_counts_as_an_invalid_cookie_and_a_burst_of_them_can_be_refused()
    {
        var setup = new TestSetup(o =>
        {
            o.TokenHeader = Header;
            o.InvalidCookieLimit = 3;
            o.OnInvalidCookieBurst = _ => true;
        });
        for (var i = 0; i < 3; i++) Assert.True(setup.Manager.Open(null, false, "10.0.0.9", new RecordingCookieSink(), headerToken: "forged." + i).IsNew);
        Assert.Equal(3, setup.Logs.At(LogLevel.Debug).Count(l => l.Message.Contains("token header", StringComparison.Ordinal)));
        Assert.Throws<SessionThrottledException>(() => setup.Manager.Open(null, false, "10.0.0.9", new RecordingCookieSink(), headerToken: "forged.4"));
    }

    [Fact]
    public async Task An_empty_header_asks_for_a_header_session_and_is_no_rejection()
    {
        var setup = new TestSetup(o => o.TokenHeader = Header);
        var sink = new RecordingCookieSink();
        var session = setup.Manager.Open("sid=ignored-when-the-header-is-there", false, "10.0.0.9", sink, headerToken: "");
        session["a"] = "1";
        await session.CommitAsync();
        Assert.DoesNotContain(setup.Logs.Lines, l => l.Message.Contains("rejected", StringComparison.Ordinal));
        var token = Assert.Single(sink.Headers[Header]);
        Assert.True(setup.Manager.Runtime.Cookies.KeyRing.TryVerify(token, out _));
        Assert.False(sink.Headers.ContainsKey("Set-Cookie"));
    }

    [Fact]
    public async Task Without_TokenHeader_configured_a_header_value_is_ignored()
    {
        var setup = new TestSetup();
        var sink = new RecordingCookieSink();
        var session = setup.Manager.Open(null, false, null, sink, headerToken: "");
        session["a"] = "1";
        await session.CommitAsync();
        Assert.Single(sink.Headers["Set-Cookie"]);
        Assert.False(sink.Headers.ContainsKey(Header));
    }

    [Fact]
    public void Header_tokens_with_the_cookie_store_fail_at_startup_with_the_reason()
    {
        var options = new SatchelOptions { TokenHeader = Header };
        options.Secrets.Add(TestSetup.Secret);
        var error = Assert.Throws<InvalidOperationException>(() => new SessionManager(options, new CookieSessionStore(options)));
        Assert.Contains("server-side store", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("X Session")]
    [InlineData("X-Session:")]
    public void A_token_header_that_is_no_header_name_is_refused_at_startup(string name)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new SessionManager(new SatchelOptions { TokenHeader = name }));
        Assert.Contains("Satchel:TokenHeader", error.Message, StringComparison.Ordinal);
    }
}
