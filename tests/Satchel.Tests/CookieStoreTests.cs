using System.Text;
using Microsoft.Extensions.Time.Testing;
using Satchel.Tests.Support;

namespace Satchel.Tests;

/// <summary>The cookie store through whole requests: sealing, tampering, rotation, size, revocation.</summary>
public sealed class CookieStoreTests
{
    private const string OldSecret = "old-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_session_lives_in_the_browser_and_any_process_with_the_secret_reads_it()
    {
        var browser = new MultiCookieBrowser(Manager());
        await browser.RequestAsync(s => { s["cart"] = "3 books"; s.UserId = "ann"; });
        Assert.True(browser.Cookies.ContainsKey("sid.data"));
        Assert.DoesNotContain("3 books", browser.Cookies["sid.data"], StringComparison.Ordinal);

        // Another process: nothing shared but the secret.
        browser.Manager = Manager();
        Assert.Equal(("3 books", "ann"), await browser.RequestAsync(s => (s["cart"], s.UserId)));
    }

    [Fact]
    public async Task A_tampered_truncated_renamed_or_foreign_data_cookie_is_no_session()
    {
        var manager = Manager();
        var browser = new MultiCookieBrowser(manager);
        await browser.RequestAsync(s => s["cart"] = "3 books");
        var token = browser.Cookies["sid"];
        var data = browser.Cookies["sid.data"];
        var flipped = data[..20] + (data[20] == 'A' ? 'B' : 'A') + data[21..];
        var other = new MultiCookieBrowser(manager);
        await other.RequestAsync(s => s["cart"] = "someone else's");

        string[] headers =
        [
            $"sid={token}; sid.data={flipped}",
            $"sid={token}; sid.data={data[..^10]}",
            $"sid={token}; sid.data=",
            $"sid={token}; sid.other={data}",                       // moved to another name
            $"sid={token}; sid.data={other.Cookies["sid.data"]}",   // another session's data under this token
            $"sid={token}; sid.data=%%%not-base64%%%",
            $"sid={token}",
        ];
        foreach (var header in headers)
        {
            var session = manager.Open(header, isHttps: false);
            Assert.Null(session["cart"]);
            Assert.True(session.IsNew, header);
        }
    }

    [Fact]
    public async Task An_expired_session_is_rejected_by_the_sealed_time_whatever_the_browser_keeps()
    {
        var browser = new MultiCookieBrowser(Manager(o => o.IdleTimeout = TimeSpan.FromMinutes(10)));
        await browser.RequestAsync(s => s["cart"] = "3 books");
        _time.Advance(TimeSpan.FromMinutes(11));
        Assert.Null(await browser.RequestAsync(s => s["cart"]));
    }

    [Fact]
    public async Task A_read_after_the_touch_interval_seals_again_and_moves_the_expiry()
    {
        var browser = new MultiCookieBrowser(Manager(o => o.IdleTimeout = TimeSpan.FromMinutes(10)));
        await browser.RequestAsync(s => s["cart"] = "3 books");
        var first = browser.Cookies["sid.data"];
        _time.Advance(TimeSpan.FromMinutes(8));
        Assert.Equal("3 books", await browser.RequestAsync(s => s["cart"]));
        Assert.NotEqual(first, browser.Cookies["sid.data"]);
        _time.Advance(TimeSpan.FromMinutes(8));
        Assert.Equal("3 books", await browser.RequestAsync(s => s["cart"]));
    }

    [Fact]
    public async Task A_cookie_sealed_with_a_retired_secret_is_accepted_and_sealed_again_until_the_secret_is_removed()
    {
        var browser = new MultiCookieBrowser(Manager(secrets: [OldSecret]));
        await browser.RequestAsync(s => s["cart"] = "3 books");
        var sealedWithOld = browser.Cookies["sid.data"];
        var tokenWithOld = browser.Cookies["sid"];

        browser.Manager = Manager(secrets: [TestSetup.Secret, OldSecret]);
        Assert.Equal("3 books", await browser.RequestAsync(s => s["cart"]));
        Assert.NotEqual(sealedWithOld, browser.Cookies["sid.data"]);   // sealed again with the current secret

        // Once the old secret is gone, the re-sealed cookie still opens and the old one does not.
        var current = Manager(secrets: [TestSetup.Secret]);
        Assert.Equal("3 books", await browser.With(current).RequestAsync(s => s["cart"]));
        Assert.Null(current.Open($"sid={tokenWithOld}; sid.data={sealedWithOld}", false)["cart"]);
    }

    [Fact]
    public async Task A_session_that_would_not_fit_in_a_cookie_throws_at_the_write_naming_the_limit()
    {
        var browser = new MultiCookieBrowser(Manager());
        await browser.RequestAsync(s =>
        {
            s["small"] = "fits";
            var error = Assert.Throws<SessionLimitExceededException>(() => s["big"] = new string('x', 3000));
            Assert.Contains("4096", error.Message, StringComparison.Ordinal);
            Assert.Contains("'big'", error.Message, StringComparison.Ordinal);
        });
        Assert.Equal(("fits", (string?)null), await browser.RequestAsync(s => (s["small"], s["big"])));
    }

    [Fact]
    public async Task The_largest_session_that_fits_makes_a_set_cookie_of_at_most_4096_bytes()
    {
        var browser = new MultiCookieBrowser(Manager());
        var length = 0;
        await browser.RequestAsync(s =>
        {
            // Grow one value until the next byte would not fit.
            var size = 100;
            while (true)
            {
                try
                {
                    s["fill"] = new string('x', size + 1);
                    size++;
                }
                catch (SessionLimitExceededException)
                {
                    break;
                }
            }
            length = size;
        });
        var setCookie = browser.LastSetCookies.Single(c => c.StartsWith("sid.data=", StringComparison.Ordinal));
        Assert.InRange(setCookie.Length, 4090, 4096);
        Assert.Equal(length, (await browser.RequestAsync(s => s["fill"]))!.Length);
    }

    [Fact]
    public async Task Destroy_expires_both_cookies()
    {
        var browser = new MultiCookieBrowser(Manager());
        await browser.RequestAsync(s => s["cart"] = "3 books");
        await browser.RequestAsync(s => s.Destroy());
        Assert.Empty(browser.Cookies);
    }

    [Fact]
    public async Task Sign_out_everywhere_rejects_every_cookie_of_the_user_sealed_before_it()
    {
        using var revocations = new MemorySessionStore(null, _time);
        var manager = Manager(configureStore: o => o.Revocations = revocations);
        var laptop = new MultiCookieBrowser(manager);
        var phone = new MultiCookieBrowser(manager);
        var bob = new MultiCookieBrowser(manager);
        await laptop.RequestAsync(s => s.UserId = "ann");
        await phone.RequestAsync(s => s.UserId = "ann");
        await bob.RequestAsync(s => s.UserId = "bob");
        var stolen = phone.Cookies.ToDictionary();

        _time.Advance(TimeSpan.FromSeconds(5));
        var admin = new SessionAdmin(manager);
        await Assert.ThrowsAsync<NotSupportedException>(async () => await admin.RevokeAllAsync("ann", exceptSessionId: "x"));
        await laptop.RequestAsync(async s =>
        {
            await admin.RevokeAllAsync(s.UserId!);   // the session loaded first: it is this request's
            await s.RegenerateAsync();   // keeps this browser signed in: sealed after the revocation
        });

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("ann", await laptop.RequestAsync(s => s.UserId));
        Assert.Null(await phone.RequestAsync(s => s.UserId));
        Assert.Null(await new MultiCookieBrowser(manager) { Cookies = stolen }.RequestAsync(s => s.UserId));
        Assert.Equal("bob", await bob.RequestAsync(s => s.UserId));
    }

    [Fact]
    public async Task Sign_out_everywhere_on_the_real_clock_revokes_cookies_sealed_in_its_millisecond_and_keeps_the_regenerated_one()
    {
        // The sealed time has whole milliseconds, the memory store keeps ticks: compared as they
        // were, a regenerate right after the revocation was revoked in 92 of 100 runs.
        using var revocations = new MemorySessionStore();
        var options = new SatchelOptions();
        options.Secrets.Add(TestSetup.Secret);
        var manager = new SessionManager(options, new CookieSessionStore(options, new CookieSessionStoreOptions { Revocations = revocations }));

        var (phoneKept, laptopLost) = await RevocationRace.RunAsync(manager, rounds: 1000);

        Assert.Equal((0, 0), (phoneKept, laptopLost));
    }

    [Fact]
    public void The_store_needs_secrets_and_cannot_be_written_outside_a_request()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new CookieSessionStore(new SatchelOptions()));
        Assert.Contains("Satchel:Secrets", error.Message, StringComparison.Ordinal);
        var options = new SatchelOptions();
        options.Secrets.Add(TestSetup.Secret);
        var store = new CookieSessionStore(options);
        var record = SessionRecord.FromValues(new SessionMetadata(_time.GetUtcNow(), TimeSpan.FromMinutes(5), null), _time.GetUtcNow(), []);
        Assert.Throws<InvalidOperationException>(() => store.CreateAsync(SessionKey.FromBytes(new byte[32]), record).AsTask().GetAwaiter().GetResult());
    }

    private SessionManager Manager(Action<SatchelOptions>? configure = null, string[]? secrets = null, Action<CookieSessionStoreOptions>? configureStore = null)
    {
        var options = new SatchelOptions();
        foreach (var secret in secrets ?? [TestSetup.Secret]) options.Secrets.Add(secret);
        configure?.Invoke(options);
        var storeOptions = new CookieSessionStoreOptions();
        configureStore?.Invoke(storeOptions);
        return new SessionManager(options, new CookieSessionStore(options, storeOptions), _time);
    }
}
