using System.Text;
using Satchel.Redis.Tests.Support;
using Satchel.Tests.Support;
using StackExchange.Redis;

namespace Satchel.Redis.Tests;

[Collection("redis")]
public class RedisStoreTests(RedisFixture redis)
{
    private RedisSetup Setup(Action<SatchelOptions>? configure = null) => new(redis.Server.Endpoint, configure);

    [Fact]
    public async Task A_value_stored_in_one_request_is_there_on_the_next()
    {
        using var setup = Setup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => { s["testValue"] = "A session variable"; s.Set("n", 5); });
        Assert.Equal("A session variable", await browser.RequestAsync(s => s["testValue"]));
        Assert.Equal(5, await browser.RequestAsync(s => s.Get<int>("n")));
        await browser.RequestAsync(s => { s.Remove("n"); s["other"] = "x"; });
        Assert.Equal(["other", "testValue"], await browser.RequestAsync(s => s.Keys.Order().ToArray()));
        await browser.RequestAsync(s => s.Clear());
        Assert.Empty(await browser.RequestAsync(s => s.Keys.ToArray()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_connection_the_store_opens_itself_serves_sessions_with_either_socket_reader(bool readOnThreadPool)
    {
        using var store = RedisSessionStore.Connect(redis.Server.Endpoint, new RedisSessionStoreOptions { KeyPrefix = $"t{Guid.NewGuid():N}:", ReadOnThreadPool = readOnThreadPool });
        await RedisReady.WaitAsync(store);
        var options = new SatchelOptions();
        options.Secrets.Add(RedisSetup.Secret);
        using var manager = new SessionManager(options, store);
        var browser = new CookieJar(manager);
        await browser.RequestAsync(s => s.Set("n", 41));
        await browser.RequestAsync(s => s.Set("n", s.Get<int>("n") + 1));
        Assert.Equal(42, await browser.RequestAsync(s => s.Get<int>("n")));
        Assert.True(store.Connection?.IsConnected);
    }

    [Fact]
    public void The_connection_the_store_opens_reads_replies_on_the_thread_pool_unless_told_not_to()
    {
        Assert.Same(SocketManager.ThreadPool, RedisSessionStore.ConnectionOptions("127.0.0.1:6379", null).SocketManager);
        Assert.Same(SocketManager.ThreadPool, RedisSessionStore.ConnectionOptions("127.0.0.1:6379", new RedisSessionStoreOptions()).SocketManager);
        Assert.Same(SocketManager.Shared, RedisSessionStore.ConnectionOptions("127.0.0.1:6379", new RedisSessionStoreOptions { ReadOnThreadPool = false }).SocketManager);
        var config = RedisSessionStore.ConnectionOptions("127.0.0.1:6379,connectTimeout=1000", null);
        Assert.False(config.AbortOnConnectFail);
        Assert.Equal(1000, config.ConnectTimeout);   // the app's own settings are kept
    }

    [Fact]
    public async Task A_change_of_hundreds_of_values_applies_whole_and_clears_whole()
    {
        // One commit script call carries the whole change, however many values it sets or removes.
        using var setup = Setup(o => o.MaxKeys = 1200);
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => { for (var i = 0; i < 700; i++) s.Set($"k{i}", i); });
        Assert.Equal(700, await browser.RequestAsync(s => s.Keys.Count));
        Assert.Equal((0, 499, 500, 699), await browser.RequestAsync(s => (s.Get<int>("k0"), s.Get<int>("k499"), s.Get<int>("k500"), s.Get<int>("k699"))));
        await browser.RequestAsync(s => { for (var i = 0; i < 600; i++) s.Remove($"k{i}"); });
        Assert.Equal(100, await browser.RequestAsync(s => s.Keys.Count));
        await browser.RequestAsync(s => { for (var i = 0; i < 1000; i++) s.Set($"n{i}", i); });
        Assert.Equal(1100, await browser.RequestAsync(s => s.Keys.Count));
        await browser.RequestAsync(s => { s.Clear(); s.Set("after", 1); });
        Assert.Equal(["after"], await browser.RequestAsync(s => s.Keys.ToArray()));
    }

    [Fact]
    public async Task Round_trips_none_for_an_untouched_session_one_plain_command_for_a_read_two_for_a_write()
    {
        using var setup = Setup(o => o.TouchInterval = TimeSpan.FromMinutes(1));
        // The server knows the scripts, as any server does after their first use (else an EVALSHA
        // answers NOSCRIPT and an EVAL follows: this test alone on a fresh server saw that).
        foreach (var source in new[] { RedisScripts.CommitSource, RedisScripts.UpdateValuesSource, RedisScripts.TouchSource, RedisScripts.IncrementSource })
            redis.Server.Command("SCRIPT", "LOAD", source);
        var monitor = new RoundTripRecorder(setup.Connection);
        var browser = setup.NewBrowser();

        var create = await monitor.CaptureAsync(() => browser.RequestAsync(s => s["a"] = "1"));
        // A new session: no load, one atomic create.
        Assert.Equal(["EVALSHA"], create);

        Assert.Empty(await monitor.CaptureAsync(() => browser.RequestAsync(_ => 0)));

        // A read is a plain command, no script: a fraction of a script's Redis CPU.
        var read = await monitor.CaptureAsync(() => browser.RequestAsync(s => s["a"]));
        Assert.Equal(["HGETALL"], read);

        setup.Time.Advance(TimeSpan.FromMinutes(2));   // the refresh is due: a small script after the read, once per interval
        var readAndTouch = await monitor.CaptureAsync(() => browser.RequestAsync(s => s["a"]));
        Assert.Equal(["HGETALL", "EVALSHA"], readAndTouch);
        Assert.Equal(["HGETALL"], await monitor.CaptureAsync(() => browser.RequestAsync(s => s["a"])));

        // A write of values over the read: plain commands, sent together (one round trip, no script).
        var write = await monitor.CaptureAsync(() => browser.RequestAsync(s => s["b"] = "2"));
        Assert.Equal(["HGETALL", "HMSET", "PEXPIREAT", "PEXPIREAT"], Expiries(write));

        var writeAgain = await monitor.CaptureAsync(() => browser.RequestAsync(s => s["b"] = "3"));
        Assert.Equal(["HGETALL", "HMSET", "PEXPIREAT", "PEXPIREAT"], Expiries(writeAgain));

        // A removal takes the script (HSET and HDEL are two commands; the script makes them one change).
        var remove = await monitor.CaptureAsync(() => browser.RequestAsync(s => s.Remove("b")));
        Assert.Equal(["HGETALL", "EVALSHA"], remove);
        Assert.True(setup.Store.PlainWrites);

        // A count: one script, no load.
        var count = await monitor.CaptureAsync(() => browser.RequestAsync(async s => await s.IncrementAsync("hits")));
        Assert.Equal(["EVALSHA"], count);
    }

    // Two requests of one browser: one loads, then a parallel one does `meanwhile` and commits, then the first sets b = 2 and commits.
    private static async Task WriteAfterAsync(CookieJar browser, Action<Session> meanwhile)
    {
        var late = browser.Open();
        await late.LoadAsync();
        await browser.RequestAsync(meanwhile);
        late["b"] = "2";
        await late.CommitAsync();
    }

    // StackExchange.Redis sends an expiry at a whole second as EXPIREAT, any other as PEXPIREAT: the same command.
    private static List<string> Expiries(List<string> commands) => commands.Select(c => c == "EXPIREAT" ? "PEXPIREAT" : c).ToList();

    [Fact]
    public async Task A_plain_write_to_a_session_destroyed_since_its_read_leaves_no_hash_behind()
    {
        using var setup = Setup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        var key = setup.HashKeyOf(browser);
        await Assert.ThrowsAsync<SessionEndedException>(() => WriteAfterAsync(browser, s => s.Destroy()));   // the logout wins the race
        var db = setup.Connection.GetDatabase();
        Assert.False(await db.KeyExistsAsync(key), "The late write's stray hash is still there.");
        Assert.True(setup.Store.PlainWrites);
    }

    [Fact]
    public async Task A_value_written_over_an_older_read_never_shortens_the_expiry_a_parallel_remember_me_set()
    {
        using var setup = Setup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        var key = setup.HashKeyOf(browser);
        // The parallel request remembers the session for a week; the late one writes with the 20-minute lifetime it read.
        await WriteAfterAsync(browser, s => s.RememberMe(TimeSpan.FromDays(7)));
        var ttl = await setup.Connection.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.True(ttl > TimeSpan.FromDays(6), $"The session's expiry is {ttl} away, shortened by the older read.");
        Assert.Equal("2", await browser.RequestAsync(s => s["b"]));
    }

    [Fact]
    public async Task A_flushed_script_cache_is_refilled_on_NOSCRIPT()
    {
        using var setup = Setup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        Assert.Equal("+OK", redis.Server.Command("SCRIPT", "FLUSH"));
        Assert.Equal("1", await browser.RequestAsync(s => s["a"]));
        await browser.RequestAsync(s => s["b"] = "2");
        Assert.Equal("2", await browser.RequestAsync(s => s["b"]));
    }

    [Fact]
    public async Task Concurrent_writes_to_different_keys_are_all_kept()
    {
        using var setup = Setup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["start"] = "1");
        var loaded = 0;
        var allLoaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            var session = setup.Manager.Open($"sid={browser.Value}", false, cookieSink: new RecordingCookieSink());
            await session.LoadAsync();
            if (Interlocked.Increment(ref loaded) == 20) allLoaded.SetResult();
            await allLoaded.Task.WaitAsync(TimeSpan.FromSeconds(10));
            session.Set($"key{i}", i);
            await session.CommitAsync();
        })));
        var keys = await browser.RequestAsync(s => s.Keys.ToHashSet());
        Assert.Equal(21, keys.Count);
    }

    [Fact]
    public async Task A_late_commit_to_a_destroyed_or_regenerated_session_fails_visibly_and_brings_nothing_back()
    {
        using var setup = Setup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        var first = browser.Value;

        var late = setup.Manager.Open($"sid={first}", false, cookieSink: new RecordingCookieSink());
        await late.LoadAsync();
        await browser.RegenerateAsync();
        late["late"] = "write";
        await Assert.ThrowsAsync<SessionEndedException>(async () => await late.CommitAsync());
        Assert.True(setup.Manager.Open($"sid={first}", false, null).IsNew);
        Assert.Single(setup.Keys());

        var second = browser.Value;
        late = setup.Manager.Open($"sid={second}", false, cookieSink: new RecordingCookieSink());
        await late.LoadAsync();
        await browser.RequestAsync(s => s.Destroy());
        late["late"] = "write";
        await Assert.ThrowsAsync<SessionEndedException>(async () => await late.CommitAsync());
        Assert.Empty(setup.Keys());
        Assert.True(setup.Manager.Open($"sid={second}", false, null).IsNew);
    }

    [Fact]
    public async Task One_hash_per_session_with_a_field_per_value_metadata_and_an_expiry()
    {
        using var setup = Setup(o => o.IdleTimeout = TimeSpan.FromMinutes(20));
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => { s["a"] = "1"; s.UserId = "ann"; });
        var key = setup.Keys().Single(k => ((string)k!).Contains(":s:", StringComparison.Ordinal));
        var hash = setup.Db.HashGetAll(key).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        Assert.Equal("\"1\"", hash["v:a"]);
        Assert.Equal("ann", hash["_u"]);
        Assert.Equal(setup.Time.GetUtcNow().ToUnixTimeMilliseconds().ToString(), hash["_a"]);
        Assert.True(hash.ContainsKey("_c") && hash.ContainsKey("_i") && hash.ContainsKey("_d"));
        var ttl = setup.Db.KeyTimeToLive(key)!.Value;
        Assert.InRange(ttl, TimeSpan.FromMinutes(19), TimeSpan.FromMinutes(20));
        Assert.Equal((string)key!, setup.HashKeyOf(browser));
    }

    [Fact]
    public async Task A_dump_of_Redis_holds_no_token_a_client_could_replay()
    {
        using var setup = Setup();
        var cookies = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var browser = setup.NewBrowser();
            await browser.RequestAsync(s => { s["i"] = i.ToString(); s.UserId = "ann"; s.UserAgent = "test"; });
            cookies.Add(browser.Value!);
        }
        var dump = new StringBuilder();
        foreach (var key in setup.Keys())
        {
            dump.Append((string)key!).Append('\n');
            var type = setup.Db.KeyType(key);
            if (type == RedisType.Hash) foreach (var e in setup.Db.HashGetAll(key)) dump.Append(e.Name).Append('=').Append(e.Value).Append('\n');
            if (type == RedisType.SortedSet) foreach (var e in setup.Db.SortedSetRangeByRankWithScores(key)) dump.Append(e.Element).Append('\n');
        }
        Assert.Contains("ann", dump.ToString(), StringComparison.Ordinal);
        foreach (var cookie in cookies)
        {
            Assert.DoesNotContain(cookie[..SessionToken.Length], dump.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(cookie[(SessionToken.Length + 1)..], dump.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Idle_and_absolute_timeouts_are_enforced_by_the_store()
    {
        using var setup = Setup(o => { o.IdleTimeout = TimeSpan.FromMinutes(30); o.AbsoluteTimeout = TimeSpan.FromHours(1); });
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        setup.Time.Advance(TimeSpan.FromMinutes(25));
        Assert.Equal("1", await browser.RequestAsync(s => s["a"]));   // refreshed: 30 more minutes
        setup.Time.Advance(TimeSpan.FromMinutes(25));
        Assert.Equal("1", await browser.RequestAsync(s => s["a"]));
        setup.Time.Advance(TimeSpan.FromMinutes(11));                   // past the absolute hour
        Assert.Null(await browser.RequestAsync(s => s["a"]));

        var idle = setup.NewBrowser();
        await idle.RequestAsync(s => s["a"] = "1");
        setup.Time.Advance(TimeSpan.FromMinutes(31));
        Assert.Null(await idle.RequestAsync(s => s["a"]));
    }

    [Fact]
    public async Task Sign_out_everywhere_lists_and_revokes_a_users_sessions_and_prunes_ended_ones()
    {
        using var setup = Setup();
        var admin = new SessionAdmin(setup.Manager);
        var browsers = Enumerable.Range(0, 4).Select(_ => setup.NewBrowser()).ToArray();
        foreach (var b in browsers) await b.RequestAsync(s => s.UserId = "ann");
        await browsers[3].RequestAsync(s => s.Destroy());
        Assert.Equal(3, (await admin.ListAsync("ann")).Count);
        Assert.Equal(3, setup.Db.SortedSetLength(setup.Prefix + "u:ann"));   // the destroyed one was pruned

        var current = await browsers[0].RequestAsync(s => s.Id);
        Assert.Equal(2, await admin.RevokeAllAsync("ann", exceptSessionId: current));
        Assert.Equal("ann", await browsers[0].RequestAsync(s => s.UserId));
        Assert.Null(await browsers[1].RequestAsync(s => s.UserId));
        Assert.Single(await admin.ListAsync("ann"));
    }

    [Fact]
    public async Task Two_app_processes_sharing_Redis_read_change_and_destroy_each_others_sessions()
    {
        using var one = Setup();
        using var two = new RedisSetup(redis.Server.Endpoint, prefix: one.Prefix);
        var browser = one.NewBrowser();
        await browser.RequestAsync(s => s["cart"] = "1 book");

        var viaTwo = new CookieJar(two.Manager) { Value = browser.Value };
        Assert.Equal("1 book", await viaTwo.RequestAsync(s => s["cart"]));
        await viaTwo.RequestAsync(s => s["cart"] = "2 books");
        Assert.Equal("2 books", await browser.RequestAsync(s => s["cart"]));
        await viaTwo.RequestAsync(s => s.Destroy());
        Assert.Null(await browser.RequestAsync(s => s["cart"]));
    }

    [Fact]
    public async Task Exclusive_sessions_make_a_hundred_parallel_increments_end_at_a_hundred()
    {
        using var setup = Setup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s.Set("n", 0));
        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
        {
            var session = setup.Manager.Open($"sid={browser.Value}", false, cookieSink: new RecordingCookieSink());
            await using (await session.AcquireExclusiveAsync())
            {
                await session.LoadAsync();
                session.Set("n", session.Get<int>("n") + 1);
                await session.CommitAsync();
            }
        })));
        Assert.Equal(100, await browser.RequestAsync(s => s.Get<int>("n")));
        Assert.DoesNotContain(setup.Keys(), k => ((string)k!).Contains(":l:", StringComparison.Ordinal));   // every lease released
    }

    [Fact]
    public async Task An_exclusive_wait_past_the_timeout_fails_clearly()
    {
        using var setup = Setup(o => o.ExclusiveTimeout = TimeSpan.FromMilliseconds(200));
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        var first = browser.Open();
        await using var held = await first.AcquireExclusiveAsync();
        var second = browser.Open();
        var ex = await Assert.ThrowsAsync<SessionLockTimeoutException>(async () => await second.AcquireExclusiveAsync());
        Assert.Contains("ExclusiveTimeout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Redis_without_a_configured_secret_is_a_startup_error()
    {
        using var connection = ConnectionMultiplexer.Connect(redis.Server.Endpoint);
        var ex = Assert.Throws<InvalidOperationException>(() => new SessionManager(new SatchelOptions(), new RedisSessionStore(connection)));
        Assert.Contains("RedisSessionStore", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Satchel:Secrets", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remember_me_rolls_on_a_read_only_request_in_real_time()
    {
        // Redis keeps milliseconds; the roll used to depend on LastAccess == now, which the real clock never met.
        using var setup = Setup();
        using var manager = Satchel.Tests.RememberMeRolls.Manager(RedisSetup.Secret, setup.Store);
        await Satchel.Tests.RememberMeRolls.AssertAsync(manager);
    }

    [Fact]
    public async Task Cookie_store_revocations_kept_in_Redis_revoke_cookies_sealed_in_their_millisecond_and_keep_the_regenerated_one()
    {
        // Redis keeps the revocation in milliseconds: a cookie sealed in the same millisecond just
        // before it was accepted in 24 to 41 of 100 runs, and re-sealed after every write.
        using var setup = Setup();
        var options = new SatchelOptions();
        options.Secrets.Add(RedisSetup.Secret);
        using var manager = new SessionManager(options, new CookieSessionStore(options, new CookieSessionStoreOptions { Revocations = setup.Store }));

        var (phoneKept, laptopLost) = await RevocationRace.RunAsync(manager, rounds: 1000);

        Assert.Equal((0, 0), (phoneKept, laptopLost));
    }

    [Fact]
    public async Task User_index_keys_expire_with_their_newest_session_so_they_do_not_grow_with_every_user_who_signed_in()
    {
        // Seen: after 50 sign-in/sign-out cycles of 50 users, 50 index keys with no TTL remained.
        using var setup = Setup();
        var options = new SatchelOptions { IdleTimeout = TimeSpan.FromSeconds(2), TouchInterval = TimeSpan.Zero };
        options.Secrets.Add(RedisSetup.Secret);
        using var manager = new SessionManager(options, setup.Store);   // the real clock: Redis expires keys on it
        for (var cycle = 0; cycle < 50; cycle++)
        {
            for (var user = 0; user < 50; user++)
            {
                var browser = new CookieJar(manager);
                await browser.RequestAsync(s => { s["cart"] = "1"; s.UserId = $"user{user}"; });
                await browser.RequestAsync(s => s.Destroy());
            }
        }

        var indexes = setup.Keys().Where(k => k.ToString().StartsWith(setup.Prefix + "u:", StringComparison.Ordinal)).ToArray();
        Assert.Equal(50, indexes.Length);
        foreach (var index in indexes)
        {
            // Idle timeout plus twice the refresh interval (half of it): 4 s at most.
            var ttl = await setup.Db.KeyTimeToLiveAsync(index);
            Assert.True(ttl is { } t && t > TimeSpan.Zero && t <= TimeSpan.FromSeconds(4), $"{index} expires in {ttl?.ToString() ?? "never"}");
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (setup.Keys().Any(k => k.ToString().StartsWith(setup.Prefix + "u:", StringComparison.Ordinal)) && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.DoesNotContain(setup.Keys(), k => k.ToString().StartsWith(setup.Prefix + "u:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_commit_naming_a_user_prunes_the_index_members_past_their_bound()
    {
        using var setup = Setup();
        var options = new SatchelOptions { IdleTimeout = TimeSpan.FromSeconds(1), TouchInterval = TimeSpan.Zero };
        options.Secrets.Add(RedisSetup.Secret);
        using var manager = new SessionManager(options, setup.Store);
        for (var i = 0; i < 10; i++)
        {
            var browser = new CookieJar(manager);
            await browser.RequestAsync(s => { s["cart"] = "1"; s.UserId = "ann"; });
            await browser.RequestAsync(s => s.Destroy());
        }
        var index = (RedisKey)(setup.Prefix + "u:ann");
        Assert.Equal(10, await setup.Db.SortedSetLengthAsync(index));
        // Their bound: idle timeout (1 s) plus twice the refresh interval (0.5 s). Waiting for it to pass, not for an event.
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        var kept = new CookieJar(manager);
        await kept.RequestAsync(s => { s["cart"] = "1"; s.UserId = "ann"; });

        Assert.Equal(1, await setup.Db.SortedSetLengthAsync(index));
        Assert.Single(await new SessionAdmin(manager).ListAsync("ann"));
    }
}
