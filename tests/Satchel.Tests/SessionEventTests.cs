using Microsoft.Extensions.Logging;
using Satchel.Tests.Support;

namespace Satchel.Tests;

/// <summary>SatchelOptions.Events: what the application hears of each session's life, with its payload.</summary>
public class SessionEventTests
{
    private static (TestSetup Setup, List<SessionEvent> Heard) Listening(Action<SatchelOptions>? configure = null)
    {
        var heard = new List<SessionEvent>();
        ValueTask Hear(SessionEvent e)
        {
            lock (heard) heard.Add(e);
            return ValueTask.CompletedTask;
        }
        var setup = new TestSetup(o =>
        {
            o.Events.OnCreated = Hear;
            o.Events.OnRegenerated = Hear;
            o.Events.OnDestroyed = Hear;
            o.Events.OnExpired = Hear;
            configure?.Invoke(o);
        });
        return (setup, heard);
    }

    [Fact]
    public async Task Created_regenerated_and_destroyed_are_heard_once_each_with_the_ids_and_the_user()
    {
        var (setup, heard) = Listening();
        var browser = setup.NewBrowser();
        var firstId = await browser.RequestAsync(s => { s["cart"] = "1"; s.UserId = "ann"; return s.Id; });
        var created = Assert.Single(heard);
        Assert.Equal(new SessionEvent(SessionEventKind.Created, firstId, null, "ann", setup.Time.GetUtcNow()), created);

        await browser.RequestAsync(s => s["cart"] = "2");   // an update is no event
        Assert.Single(heard);

        setup.Time.Advance(TimeSpan.FromSeconds(5));
        var secondId = await browser.RequestAsync(async s => { await s.RegenerateAsync(); return s.Id; });
        Assert.Equal(new SessionEvent(SessionEventKind.Regenerated, secondId, firstId, "ann", setup.Time.GetUtcNow()), heard[1]);

        await browser.RequestAsync(s => { _ = s["cart"]; s.Destroy(); });
        Assert.Equal(new SessionEvent(SessionEventKind.Destroyed, secondId, null, "ann", setup.Time.GetUtcNow()), heard[2]);
        Assert.Equal(3, heard.Count);
    }

    [Fact]
    public async Task A_session_destroyed_before_it_loaded_is_heard_by_its_id_without_a_user()
    {
        var (setup, heard) = Listening();
        var browser = setup.NewBrowser();
        var id = await browser.RequestAsync(s => { s["a"] = "1"; s.UserId = "bob"; return s.Id; });
        await browser.RequestAsync(s => s.Destroy());
        Assert.Equal(new SessionEvent(SessionEventKind.Destroyed, id, null, null, setup.Time.GetUtcNow()), heard[^1]);
    }

    [Fact]
    public async Task Nothing_is_heard_for_a_session_that_never_stored_anything()
    {
        var (setup, heard) = Listening();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["x"]);
        await browser.RequestAsync(async s => await s.RegenerateAsync());
        Assert.Empty(heard);
    }

    [Fact]
    public async Task A_regeneration_that_stores_a_new_session_is_heard_as_created()
    {
        var (setup, heard) = Listening();
        var browser = setup.NewBrowser();
        var id = await browser.RequestAsync(async s => { s["a"] = "1"; await s.RegenerateAsync(); return s.Id; });
        Assert.Equal(SessionEventKind.Created, Assert.Single(heard).Kind);
        Assert.Equal(id, heard[0].Id);
    }

    [Fact]
    public async Task Expired_sessions_swept_by_the_memory_store_are_heard_with_their_user_and_expiry_time()
    {
        var (setup, heard) = Listening();
        var browser = setup.NewBrowser();
        var id = await browser.RequestAsync(s => { s["a"] = "1"; s.UserId = "cy"; return s.Id; });
        var expiresAt = setup.Time.GetUtcNow() + setup.Manager.Options.IdleTimeout;
        heard.Clear();

        // The clock passes the expiry and the store's background sweep (every minute) runs.
        setup.Time.Advance(setup.Manager.Options.IdleTimeout + TimeSpan.FromMinutes(1));
        Assert.Equal(new SessionEvent(SessionEventKind.Expired, id, null, "cy", expiresAt), Assert.Single(heard));
        Assert.Equal(0, setup.Memory.SweepExpired());
        Assert.Single(heard);
    }

    [Fact]
    public async Task An_expired_session_met_by_a_load_before_any_sweep_is_heard_as_expired()
    {
        var heard = new List<SessionEvent>();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        using var store = new MemorySessionStore(new MemorySessionStoreOptions { SweepInterval = TimeSpan.FromDays(1) }, time);
        var options = new SatchelOptions();
        options.Secrets.Add(TestSetup.Secret);
        options.Events.OnExpired = e => { heard.Add(e); return ValueTask.CompletedTask; };
        using var manager = new SessionManager(options, store, time);
        var browser = new CookieJar(manager);
        var id = await browser.RequestAsync(s => { s["a"] = "1"; return s.Id; });

        time.Advance(options.IdleTimeout + TimeSpan.FromSeconds(1));
        Assert.Empty(heard);   // no sweep yet
        Assert.True(await browser.RequestAsync(s => s.IsNew));
        var expired = Assert.Single(heard);
        Assert.Equal((SessionEventKind.Expired, id), (expired.Kind, expired.Id));
        Assert.Equal(0, store.SweepExpired());
    }

    [Fact]
    public async Task Admin_revocations_are_heard_as_destroyed_with_the_user()
    {
        var (setup, heard) = Listening();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
            ids.Add(await setup.NewBrowser().RequestAsync(s => { s.UserId = "dee"; s["n"] = "1"; return s.Id; }));
        heard.Clear();
        var admin = new SessionAdmin(setup.Manager);

        Assert.True(await admin.RevokeAsync("dee", ids[0]));
        Assert.Equal(1, await admin.RevokeAllAsync("dee", exceptSessionId: ids[1]));

        Assert.All(heard, e => Assert.Equal((SessionEventKind.Destroyed, "dee"), (e.Kind, e.UserId)));
        Assert.Equal(new[] { ids[0], ids[2] }, heard.Select(e => e.Id));
    }

    [Fact]
    public async Task A_handler_that_throws_is_logged_and_the_session_is_saved_anyway()
    {
        var setup = new TestSetup(o => o.Events.OnCreated = _ => throw new InvalidOperationException("audit log is down"));
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        Assert.Equal("1", await browser.RequestAsync(s => s["a"]));
        var line = Assert.Single(setup.Logs.At(LogLevel.Error));
        Assert.Equal(14, line.EventId.Id);
        Assert.Equal("audit log is down", line.Exception?.Message);
    }

    [Fact]
    public async Task An_asynchronous_handler_is_awaited_before_the_commit_returns()
    {
        var done = false;
        var setup = new TestSetup(o => o.Events.OnCreated = async _ => { await Task.Yield(); done = true; });
        await setup.NewBrowser().RequestAsync(s => s["a"] = "1");
        Assert.True(done);
    }
}
