using Satchel.Tests.Support;

namespace Satchel.Tests;

public class AdminTests
{
    private static async Task<(TestSetup Setup, SessionAdmin Admin, CookieJar[] Browsers)> ThreeSessionsOfAnnAsync()
    {
        var setup = new TestSetup();
        var admin = new SessionAdmin(setup.Manager);
        var browsers = new CookieJar[3];
        for (var i = 0; i < 3; i++)
        {
            browsers[i] = setup.NewBrowser();
            await browsers[i].RequestAsync(s => { s.UserId = "ann"; s.UserAgent = $"browser {i}"; });
            setup.Time.Advance(TimeSpan.FromMinutes(1));
        }
        await setup.NewBrowser().RequestAsync(s => s.UserId = "bob");
        return (setup, admin, browsers);
    }

    [Fact]
    public async Task A_users_sessions_are_listed_with_non_secret_ids_and_what_the_app_recorded()
    {
        var (_, admin, browsers) = await ThreeSessionsOfAnnAsync();
        var list = await admin.ListAsync("ann");
        Assert.Equal(3, list.Count);
        Assert.Equal(["browser 2", "browser 1", "browser 0"], list.Select(s => s.UserAgent));   // most recent first
        var ids = await Task.WhenAll(browsers.Select(b => b.RequestAsync(s => s.Id)));
        Assert.Equal(ids.Order(), list.Select(s => s.Id).Order());
        Assert.All(list, s => Assert.DoesNotContain(s.Id, string.Join(" ", browsers.Select(b => b.Value)), StringComparison.Ordinal));
        Assert.Single(await admin.ListAsync("bob"));
        Assert.Empty(await admin.ListAsync("nobody"));
    }

    [Fact]
    public async Task Sign_out_everywhere_else_revokes_every_other_session_of_the_user()
    {
        var (setup, admin, browsers) = await ThreeSessionsOfAnnAsync();
        var current = await browsers[0].RequestAsync(s => s.Id);
        Assert.Equal(2, await admin.RevokeAllAsync("ann", exceptSessionId: current));

        Assert.Equal("ann", await browsers[0].RequestAsync(s => s.UserId));
        Assert.Null(await browsers[1].RequestAsync(s => s.UserId));
        Assert.Null(await browsers[2].RequestAsync(s => s.UserId));
        Assert.Single(await admin.ListAsync("ann"));
        Assert.Single(await admin.ListAsync("bob"));
        Assert.Equal(2, setup.Memory.Count);
    }

    [Fact]
    public async Task One_session_is_revoked_by_id_only_for_its_own_user()
    {
        var (_, admin, browsers) = await ThreeSessionsOfAnnAsync();
        var id = await browsers[1].RequestAsync(s => s.Id);
        Assert.False(await admin.RevokeAsync("bob", id));
        Assert.True(await admin.RevokeAsync("ann", id));
        Assert.Null(await browsers[1].RequestAsync(s => s.UserId));
        Assert.Equal(2, (await admin.ListAsync("ann")).Count);
    }

    [Fact]
    public async Task Changing_or_clearing_the_user_moves_the_session_in_the_index()
    {
        var (_, admin, browsers) = await ThreeSessionsOfAnnAsync();
        await browsers[0].RequestAsync(s => s.UserId = "bob");
        await browsers[1].RequestAsync(s => s.UserId = null);
        Assert.Single(await admin.ListAsync("ann"));
        Assert.Equal(2, (await admin.ListAsync("bob")).Count);
    }

    [Fact]
    public async Task A_store_that_cannot_list_users_says_so()
    {
        var setup = new TestSetup();
        var admin = new SessionAdmin(new SessionManager(setup.Manager.Options, new FailingStore()));
        var ex = await Assert.ThrowsAsync<NotSupportedException>(async () => await admin.ListAsync("ann"));
        Assert.Contains("FailingStore", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ISessionUserIndex", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_wrapped_by_another_keeps_its_user_index()
    {
        // AsyncStore wraps the memory store and forwards GetCapability, as a wrapper must.
        var setup = new TestSetup(store: new AsyncStore(new MemorySessionStore()));
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s.UserId = "ann");
        var listed = Assert.Single(await new SessionAdmin(setup.Manager).ListAsync("ann"));
        Assert.Equal(await browser.RequestAsync(s => s.Id), listed.Id);
    }
}
