using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Satchel.Tests.Support;

namespace Satchel.Tests;

public class BruteForceTests
{
    private static Session Guess(TestSetup setup, string client) =>
        setup.Manager.Open($"sid={SessionToken.NewToken()}.{SessionToken.NewToken()}", false, client, new RecordingCookieSink());

    [Fact]
    public void A_client_guessing_tokens_raises_one_warning_and_a_metric_and_the_hook_can_refuse_it()
    {
        var refused = new List<InvalidCookieBurst>();
        var setup = new TestSetup(o =>
        {
            o.InvalidCookieLimit = 5;
            o.InvalidCookieWindow = TimeSpan.FromMinutes(1);
            o.OnInvalidCookieBurst = burst => { refused.Add(burst); return burst.Rejected > 6; };
        });
        long bursts = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Name == "satchel.cookie.rejection_bursts") l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref bursts, value));
        listener.Start();

        for (var i = 0; i < 5; i++) Assert.True(Guess(setup, "203.0.113.9").IsNew);
        Assert.DoesNotContain(setup.Logs.Lines, l => l.EventId.Id == 12);
        Assert.True(Guess(setup, "203.0.113.9").IsNew);            // the 6th: over the limit, the hook lets it through
        var warning = Assert.Single(setup.Logs.At(LogLevel.Warning), l => l.EventId.Id == 12);
        Assert.Contains("203.0.113.9", warning.Message, StringComparison.Ordinal);
        Assert.Equal(1, Interlocked.Read(ref bursts));
        Assert.Throws<SessionThrottledException>(() => Guess(setup, "203.0.113.9").IsNew);   // the 7th: refused
        Assert.Equal([6, 7], refused.Select(r => r.Rejected));

        Assert.True(Guess(setup, "198.51.100.1").IsNew);           // another client is not affected
        setup.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(Guess(setup, "203.0.113.9").IsNew);            // a new window
        Assert.Single(setup.Logs.Lines, l => l.EventId.Id == 12);
    }

    [Fact]
    public async Task Valid_cookies_never_count_as_guesses()
    {
        var setup = new TestSetup(o => { o.InvalidCookieLimit = 1; o.OnInvalidCookieBurst = _ => true; });
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        for (var i = 0; i < 10; i++)
            Assert.Equal("1", setup.Manager.Open($"sid={browser.Value}", false, "203.0.113.9")["a"]);
    }
}
