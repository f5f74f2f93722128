namespace Satchel.Tests.Support;

/// <summary>
/// A request that loaded its session before another request destroyed or regenerated it, and
/// writes after: its commit must fail visibly, bring nothing back and leave the other request's
/// session as it was. Run on every server-side store.
/// </summary>
public static class EndedSessionCommits
{
    public static async Task AssertAsync(SessionManager manager)
    {
        foreach (var end in new Func<CookieJar, Task>[] { b => b.RequestAsync(s => s.Destroy()), b => b.RegenerateAsync() })
        {
            var browser = new CookieJar(manager);
            await browser.RequestAsync(s => s["a"] = "1");
            var oldCookie = browser.Value;

            var slow = manager.Open($"{browser.Name}={oldCookie}", false, cookieSink: new RecordingCookieSink());
            await slow.LoadAsync();
            await end(browser);
            slow["late"] = "write";
            var error = await Assert.ThrowsAsync<SessionEndedException>(async () => await slow.CommitAsync());
            Assert.Contains("not saved", error.Message, StringComparison.Ordinal);

            Assert.True(manager.Open($"{browser.Name}={oldCookie}", false, null).IsNew);   // not brought back
            if (browser.Value is not null) Assert.Equal(["a"], await browser.RequestAsync(s => s.Keys.ToArray()));
        }
    }
}
