using Satchel.Tests.Support;

namespace Satchel.Tests;

public class ConcurrencyTests
{
    [Fact]
    public async Task Concurrent_writes_to_different_keys_are_all_kept()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["start"] = "yes");
        var cookie = browser.Value;

        // All 20 requests load before any commits: the worst case for snapshot stores.
        const int requests = 20;
        var loaded = 0;
        var allLoaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, requests).Select(i => Task.Run(async () =>
        {
            var session = setup.Manager.Open($"sid={cookie}", false, cookieSink: new RecordingCookieSink());
            await session.LoadAsync();
            if (Interlocked.Increment(ref loaded) == requests) allLoaded.SetResult();
            await allLoaded.Task.WaitAsync(TimeSpan.FromSeconds(10));
            session[$"key{i}"] = $"value{i}";
            await session.CommitAsync();
        })).ToArray();
        await Task.WhenAll(tasks);

        var keys = await browser.RequestAsync(s => s.Keys.ToHashSet());
        for (var i = 0; i < requests; i++) Assert.Contains($"key{i}", keys);
        Assert.Contains("start", keys);
    }

    [Fact]
    public async Task A_commit_to_a_session_destroyed_or_regenerated_since_it_loaded_fails_visibly_and_brings_nothing_back()
    {
        var setup = new TestSetup();
        await EndedSessionCommits.AssertAsync(setup.Manager);
        Assert.Equal(1, setup.Memory.Count);   // the regenerated session only
        Assert.Contains(setup.Logs.Lines, l => l.EventId.Id == 10 && l.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public async Task Parallel_sessions_of_many_browsers_do_not_mix()
    {
        var setup = new TestSetup();
        var browsers = Enumerable.Range(0, 50).Select(_ => setup.NewBrowser()).ToArray();
        await Task.WhenAll(browsers.Select((b, i) => Task.Run(async () =>
        {
            for (var n = 0; n < 20; n++) await b.RequestAsync(s => s.Set("n", s.Get<int>("n") + 1));
            Assert.Equal(20, await b.RequestAsync(s => s.Get<int>("n")));
        })));
        Assert.Equal(50, setup.Memory.Count);
    }
}
