using Microsoft.Extensions.Logging;
using Satchel.Tests.Support;

namespace Satchel.Tests;

public class StoreFailureTests
{
    private static string SignedCookie(TestSetup setup) => setup.Manager.Runtime.Cookies.KeyRing.Sign(SessionToken.NewToken());

    [Fact]
    public async Task By_default_a_store_failure_fails_the_request_and_logs_the_store_error()
    {
        var logs = new LogCollector();
        var options = new SatchelOptions();
        options.Secrets.Add(TestSetup.Secret);
        using var manager = new SessionManager(options, new FailingStore(), loggerFactory: logs);
        var session = manager.Open($"sid={manager.Runtime.Cookies.KeyRing.Sign(SessionToken.NewToken())}", false, cookieSink: new RecordingCookieSink());
        var ex = await Assert.ThrowsAsync<SessionStoreException>(async () => await session.LoadAsync());
        Assert.Contains(FailingStore.Error, ex.Message, StringComparison.Ordinal);
        Assert.IsType<IOException>(ex.InnerException);
        var logged = Assert.Single(logs.At(LogLevel.Error));
        Assert.Contains("FailingStore", logged.Message, StringComparison.Ordinal);
        Assert.Equal(FailingStore.Error, logged.Exception!.Message);
    }

    [Fact]
    public async Task A_failed_commit_fails_too()
    {
        var setup = new TestSetup(store: new FailingStore());
        var session = setup.Manager.Open(null, false, cookieSink: new RecordingCookieSink());
        session["a"] = "1";
        await Assert.ThrowsAsync<SessionStoreException>(async () => await session.CommitAsync());
    }

    [Fact]
    public async Task Degrade_gives_an_empty_session_that_writes_nothing_and_logs_a_warning()
    {
        var setup = new TestSetup(o => o.StoreFailurePolicy = StoreFailurePolicy.Degrade, new FailingStore());
        var sink = new RecordingCookieSink();
        var session = setup.Manager.Open($"sid={SignedCookie(setup)}", false, cookieSink: sink);
        Assert.Null(session["a"]);
        Assert.False(session.IsAvailable);
        session["a"] = "1";
        await session.CommitAsync();
        Assert.Equal(0, setup.Store.Commits);
        Assert.Null(sink.Current);
        Assert.Single(setup.Logs.At(LogLevel.Warning), l => l.EventId.Id == 5);
        Assert.Contains(setup.Logs.At(LogLevel.Error), l => l.Exception?.Message == FailingStore.Error);
    }

    [Fact]
    public async Task A_slow_store_loaded_synchronously_warns_how_to_avoid_it()
    {
        var memory = new MemorySessionStore();
        var setup = new TestSetup(store: new CallerBlocksStore(memory));
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        Assert.Equal("1", await browser.RequestAsync(s => s["a"]));   // a value read before the session loaded: a thread blocks
        Assert.Contains(setup.Logs.At(LogLevel.Warning), l => l.EventId.Id == 6 && l.Message.Contains("LoadAsync", StringComparison.Ordinal));

        Assert.Single(setup.Logs.Lines, l => l.EventId.Id == 6);

        // Loaded first, even from an asynchronous store: no thread waits, and no warning.
        var loadsFirst = new TestSetup(store: new AsyncStore(memory));
        var session = loadsFirst.Manager.Open($"sid={browser.Value}", false);
        await session.LoadAsync();
        Assert.Equal("1", session["a"]);
        Assert.DoesNotContain(loadsFirst.Logs.Lines, l => l.EventId.Id == 6);
    }

    [Fact]
    public async Task The_adapter_hears_of_a_load_that_blocks_its_thread_before_the_wait_and_of_no_other()
    {
        var setup = new TestSetup(store: new AsyncStore(new MemorySessionStore()));
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");

        var blocked = new RecordingCookieSink();
        Assert.Equal("1", setup.Manager.Open($"sid={browser.Value}", false, cookieSink: blocked)["a"]);
        Assert.Equal(1, blocked.SynchronousLoads);

        var awaited = new RecordingCookieSink();
        var session = setup.Manager.Open($"sid={browser.Value}", false, cookieSink: awaited);
        await session.LoadAsync();
        Assert.Equal("1", session["a"]);
        var cookieless = new RecordingCookieSink();
        Assert.Null(setup.Manager.Open(null, false, cookieSink: cookieless)["a"]);   // nothing to load
        Assert.Equal(0, awaited.SynchronousLoads + cookieless.SynchronousLoads);
    }

    [Fact]
    public async Task A_store_reporting_its_timeout_as_a_cancelled_task_fails_by_the_policy_and_only_a_real_cancellation_escapes()
    {
        var store = new AsyncStore(new MemorySessionStore());
        var setup = new TestSetup(store: store);
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        var loaded = setup.Manager.Open($"sid={browser.Value}", false);
        await loaded.LoadAsync();
        store.CancelOnItsOwn = true;

        await Assert.ThrowsAsync<SessionStoreException>(async () => await setup.Manager.Open($"sid={browser.Value}", false).LoadAsync());
        Assert.Throws<SessionStoreException>(() => setup.Manager.Open($"sid={browser.Value}", false)["a"]);   // a read that loads: the blocking path
        loaded["b"] = "2";
        await Assert.ThrowsAsync<SessionStoreException>(async () => await loaded.CommitAsync());
        Assert.Equal(3, setup.Logs.At(LogLevel.Error).Count(l => l.Exception is TaskCanceledException));

        // The caller's own cancellation is still a cancellation, not a store failure.
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await setup.Manager.Open($"sid={browser.Value}", false).LoadAsync(cancelled.Token));
        Assert.Equal(3, setup.Logs.At(LogLevel.Error).Count());
    }
}
