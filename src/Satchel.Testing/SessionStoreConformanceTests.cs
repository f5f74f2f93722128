using System.Security.Cryptography;
using System.Text;
using Xunit;

namespace Satchel.Testing;

/// <summary>
/// The whole <see cref="ISessionStore"/> contract as xunit tests: derive a test class from this one,
/// return a fresh store from <see cref="CreateStoreAsync"/>, and every test below runs against it.
/// Satchel's own stores pass exactly these. Tests of an optional power (a capability such as
/// <see cref="ISessionUserIndex"/>, or a <see cref="SessionStoreGuarantees"/> flag) check it when
/// the store offers it, and otherwise check that the store does not claim it.
/// <code>
/// public sealed class MyStoreTests : SessionStoreConformanceTests
/// {
///     protected override ValueTask&lt;ISessionStore&gt; CreateStoreAsync() => new(new MyStore(...));
/// }
/// </code>
/// Times are whole milliseconds near the real clock, so a store may keep milliseconds and let its
/// server expire records by its own clock as well.
/// </summary>
public abstract class SessionStoreConformanceTests : IAsyncLifetime
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(20);
    private static readonly TimeSpan NoTouch = TimeSpan.FromDays(1);

    /// <summary>The store under test (a fresh one per test).</summary>
    protected ISessionStore Store { get; private set; } = null!;

    /// <summary>The test's "now": the real clock, to the millisecond.</summary>
    protected DateTimeOffset Now { get; } = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    /// <summary>A fresh, empty store (or one whose other contents the tests will never meet: keys are random).</summary>
    protected abstract ValueTask<ISessionStore> CreateStoreAsync();

    /// <summary>Releases the store after a test; by default disposes it if it is disposable.</summary>
    protected virtual async ValueTask DisposeStoreAsync(ISessionStore store)
    {
        if (store is IAsyncDisposable asyncDisposable) await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        else (store as IDisposable)?.Dispose();
    }

    /// <inheritdoc />
    public async Task InitializeAsync() => Store = await CreateStoreAsync().ConfigureAwait(false);

    /// <inheritdoc />
    public async Task DisposeAsync() => await DisposeStoreAsync(Store).ConfigureAwait(false);

    /// <summary>An unknown key loads as nothing.</summary>
    [Fact]
    public async Task A_key_never_stored_loads_as_null() =>
        Assert.Null(await Store.LoadAsync(NewKey(), Now, NoTouch));

    /// <summary>What was created comes back: values, metadata, last access.</summary>
    [Fact]
    public async Task A_created_session_loads_with_its_values_metadata_and_last_access()
    {
        var key = NewKey();
        var metadata = new SessionMetadata(Now, Idle, Now.AddHours(24), Persistent: true, UserId: "ann", UserAgent: "Mozilla/5.0 (X11; Linux x86_64)");
        await Store.CreateAsync(key, Record(metadata, ("a", "\"1\""), ("b", "{\"n\":[1,2]}")));

        var loaded = await Store.LoadAsync(key, Now.AddSeconds(1), NoTouch);
        Assert.NotNull(loaded);
        Assert.Equal(metadata, loaded.Metadata);
        Assert.Equal(Now, loaded.LastAccess);
        Assert.False(loaded.Touched);
        Assert.Equal(2, loaded.Count);
        Assert.Equal("\"1\"", Text(loaded, "a"));
        Assert.Equal("{\"n\":[1,2]}", Text(loaded, "b"));
        Assert.Equal(["a", "b"], loaded.Keys.Order(StringComparer.Ordinal));
    }

    /// <summary>Metadata without a deadline, a user or a user agent round-trips as such.</summary>
    [Fact]
    public async Task Metadata_without_deadline_user_or_user_agent_stays_empty()
    {
        var key = NewKey();
        var metadata = new SessionMetadata(Now, Idle, AbsoluteDeadline: null);
        await Store.CreateAsync(key, Record(metadata, ("a", "1")));
        var loaded = await Store.LoadAsync(key, Now, NoTouch);
        Assert.Equal(metadata, loaded?.Metadata);
    }

    /// <summary>An update sets and removes exactly the keys it names.</summary>
    [Fact]
    public async Task An_update_sets_and_removes_keys_and_keeps_the_others()
    {
        var key = await CreateAsync(("a", "1"), ("b", "2"), ("c", "3"));
        Assert.True(await Store.UpdateAsync(key, Change(Now.AddSeconds(5), ("a", null), ("b", "20"), ("d", "4"))));

        var loaded = await Store.LoadAsync(key, Now.AddSeconds(5), NoTouch);
        Assert.NotNull(loaded);
        Assert.Equal(["b", "c", "d"], loaded.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("20", Text(loaded, "b"));
        Assert.Equal("3", Text(loaded, "c"));
        Assert.Equal(Now.AddSeconds(5), loaded.LastAccess);
        Assert.Equal(Metadata(), loaded.Metadata);
    }

    /// <summary>A clear removes every stored value before the change's own values apply.</summary>
    [Fact]
    public async Task An_update_that_clears_removes_every_value_before_its_own_apply()
    {
        var key = await CreateAsync(("a", "1"), ("b", "2"));
        var change = new SessionChange { Now = Now, Cleared = true, Values = Values(("c", "3")) };
        Assert.True(await Store.UpdateAsync(key, change));
        var loaded = await Store.LoadAsync(key, Now, NoTouch);
        Assert.Equal(["c"], loaded?.Keys);
    }

    /// <summary>New metadata replaces the stored one; none keeps it.</summary>
    [Fact]
    public async Task An_update_with_metadata_replaces_it_and_one_without_keeps_it()
    {
        var key = await CreateAsync(("a", "1"));
        var changed = Metadata() with { Persistent = true, IdleTimeout = TimeSpan.FromDays(30), AbsoluteDeadline = Now.AddDays(30), UserId = "bob" };
        Assert.True(await Store.UpdateAsync(key, new SessionChange { Now = Now, Values = Values(), Metadata = changed }));
        Assert.True(await Store.UpdateAsync(key, Change(Now, ("b", "2"))));
        var loaded = await Store.LoadAsync(key, Now, NoTouch);
        Assert.Equal(changed, loaded?.Metadata);
        Assert.Equal(2, loaded?.Count);
    }

    /// <summary>An update never creates a session.</summary>
    [Fact]
    public async Task An_update_of_a_key_never_stored_is_refused_and_creates_nothing()
    {
        var key = NewKey();
        Assert.False(await Store.UpdateAsync(key, Change(Now, ("a", "1"))));
        Assert.Null(await Store.LoadAsync(key, Now, NoTouch));
    }

    /// <summary>No resurrection: a late commit of a request that raced a logout does not bring the session back.</summary>
    [Fact]
    public async Task An_update_of_a_deleted_session_is_refused_and_does_not_bring_it_back()
    {
        if (!Declares(SessionStoreGuarantees.NoResurrection)) return;
        var key = await CreateAsync(("a", "1"));
        await Store.DeleteAsync(key);
        Assert.False(await Store.UpdateAsync(key, Change(Now, ("b", "2"))));
        Assert.Null(await Store.LoadAsync(key, Now, NoTouch));
    }

    /// <summary>An expired session takes no update, even one a request began before it expired.</summary>
    [Fact]
    public async Task An_update_of_an_expired_session_is_refused()
    {
        if (!Declares(SessionStoreGuarantees.NoResurrection)) return;
        var key = await CreateAsync(("a", "1"));
        var later = Now + Idle + TimeSpan.FromSeconds(1);
        Assert.False(await Store.UpdateAsync(key, Change(later, ("b", "2"))));
        Assert.Null(await Store.LoadAsync(key, later, NoTouch));
    }

    /// <summary>
    /// The record a change was made over (<see cref="SessionChange.Base"/>) is a hint, never a licence:
    /// a session deleted after the request loaded it stays gone.
    /// </summary>
    [Fact]
    public async Task An_update_over_a_loaded_record_of_a_session_deleted_since_is_refused_and_does_not_bring_it_back()
    {
        if (!Declares(SessionStoreGuarantees.NoResurrection)) return;
        var key = await CreateAsync(("a", "1"));
        var loaded = await Store.LoadAsync(key, Now, NoTouch);
        await Store.DeleteAsync(key);
        Assert.False(await Store.UpdateAsync(key, ChangeOver(loaded, Now, ("b", "2"))));
        Assert.Null(await Store.LoadAsync(key, Now, NoTouch));
        Assert.Null(await Store.LoadAsync(key, Now, TimeSpan.Zero));
    }

    /// <summary>A session that ended by the caller's clock after the load takes no update, loaded record or not.</summary>
    [Fact]
    public async Task An_update_over_a_loaded_record_of_a_session_expired_since_is_refused()
    {
        if (!Declares(SessionStoreGuarantees.NoResurrection)) return;
        var key = await CreateAsync(("a", "1"));
        var loaded = await Store.LoadAsync(key, Now, NoTouch);
        var later = Now + Idle + TimeSpan.FromSeconds(1);
        Assert.False(await Store.UpdateAsync(key, ChangeOver(loaded, later, ("b", "2"))));
        Assert.Null(await Store.LoadAsync(key, later, NoTouch));
    }

    /// <summary>
    /// Parallel requests that loaded the same record each keep their value, and a write made with
    /// the lifetimes of an older load never shortens a session a parallel request lengthened.
    /// </summary>
    [Fact]
    public async Task Updates_over_the_same_loaded_record_keep_each_other_and_never_shorten_a_lengthened_session()
    {
        var key = await CreateAsync(("seed", "0"));
        var loaded = await Store.LoadAsync(key, Now, NoTouch);
        if (Declares(SessionStoreGuarantees.AtomicChanges))
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
                await Store.UpdateAsync(key, ChangeOver(loaded, Now.AddMilliseconds(i), ($"k{i}", "1"))))));
            Assert.All(results, Assert.True);
            Assert.Equal(21, (await Store.LoadAsync(key, Now.AddSeconds(1), NoTouch))?.Count);
        }
        // Remembered for a week by one request; then a request that loaded before writes a value.
        var remembered = Metadata() with { Persistent = true, IdleTimeout = TimeSpan.FromDays(7), AbsoluteDeadline = Now.AddDays(30) };
        Assert.True(await Store.UpdateAsync(key, new SessionChange { Now = Now.AddSeconds(1), Values = Values(), Metadata = remembered }));
        Assert.True(await Store.UpdateAsync(key, ChangeOver(loaded, Now.AddSeconds(2), ("late", "1"))));
        var weekLater = await Store.LoadAsync(key, Now.AddDays(6), NoTouch);
        Assert.NotNull(weekLater);
        Assert.Equal("1", Text(weekLater, "late"));
        Assert.Equal(TimeSpan.FromDays(7), weekLater.Metadata.IdleTimeout);
    }

    /// <summary>Delete removes; deleting what is not there is no error.</summary>
    [Fact]
    public async Task Delete_removes_the_session_and_deleting_again_is_not_an_error()
    {
        var key = await CreateAsync(("a", "1"));
        await Store.DeleteAsync(key);
        Assert.Null(await Store.LoadAsync(key, Now, NoTouch));
        await Store.DeleteAsync(key);
        await Store.DeleteAsync(NewKey());
    }

    /// <summary>Creating under a key that holds a session replaces it whole (a retried create).</summary>
    [Fact]
    public async Task A_create_over_an_existing_session_replaces_it()
    {
        var key = await CreateAsync(("a", "1"), ("b", "2"));
        await Store.CreateAsync(key, Record(Metadata() with { UserAgent = "again" }, ("c", "3")));
        var loaded = await Store.LoadAsync(key, Now, NoTouch);
        Assert.Equal(["c"], loaded?.Keys);
        Assert.Equal("again", loaded?.Metadata.UserAgent);
    }

    /// <summary>The store enforces the idle timeout itself.</summary>
    [Fact]
    public async Task A_session_past_its_idle_timeout_does_not_load()
    {
        var key = await CreateAsync(("a", "1"));
        Assert.NotNull(await Store.LoadAsync(key, Now + Idle - TimeSpan.FromSeconds(1), NoTouch));
        Assert.Null(await Store.LoadAsync(key, Now + Idle + TimeSpan.FromSeconds(1), NoTouch));
    }

    /// <summary>The store enforces the absolute deadline, however active the session.</summary>
    [Fact]
    public async Task A_session_past_its_absolute_deadline_does_not_load_however_active()
    {
        var key = NewKey();
        await Store.CreateAsync(key, Record(new SessionMetadata(Now, Idle, Now.AddMinutes(10)), ("a", "1")));
        var touched = await Store.LoadAsync(key, Now.AddMinutes(8), TimeSpan.Zero);
        Assert.True(touched?.Touched);
        Assert.Equal(Now.AddMinutes(10), touched?.ExpiresAt);
        Assert.Null(await Store.LoadAsync(key, Now.AddMinutes(10).AddSeconds(1), TimeSpan.Zero));
    }

    /// <summary>A read within the touch interval costs no write and says so.</summary>
    [Fact]
    public async Task A_load_within_the_touch_interval_does_not_refresh_the_expiry()
    {
        var key = await CreateAsync(("a", "1"));
        var loaded = await Store.LoadAsync(key, Now.AddSeconds(30), TimeSpan.FromMinutes(1));
        Assert.False(loaded?.Touched);
        Assert.Equal(Now, loaded?.LastAccess);
        Assert.Null(await Store.LoadAsync(key, Now + Idle + TimeSpan.FromSeconds(1), NoTouch));
    }

    /// <summary>A read after the touch interval refreshes the expiry in the same call, and says so.</summary>
    [Fact]
    public async Task A_load_after_the_touch_interval_refreshes_the_expiry_and_says_so()
    {
        var key = await CreateAsync(("a", "1"));
        var at = Now.AddMinutes(2);
        var loaded = await Store.LoadAsync(key, at, TimeSpan.FromMinutes(1));
        Assert.True(loaded?.Touched);
        Assert.Equal(at, loaded?.LastAccess);
        Assert.Equal("1", loaded is null ? null : Text(loaded, "a"));

        // Alive past the first expiry, gone past the new one.
        var again = await Store.LoadAsync(key, Now + Idle + TimeSpan.FromSeconds(30), NoTouch);
        Assert.False(again?.Touched);
        Assert.Equal(at, again?.LastAccess);
        Assert.Null(await Store.LoadAsync(key, at + Idle + TimeSpan.FromSeconds(1), NoTouch));
    }

    /// <summary>A write counts as activity: it moves the expiry.</summary>
    [Fact]
    public async Task An_update_moves_the_expiry()
    {
        var key = await CreateAsync(("a", "1"));
        var at = Now.AddMinutes(15);
        Assert.True(await Store.UpdateAsync(key, Change(at, ("b", "2"))));
        var loaded = await Store.LoadAsync(key, Now + Idle + TimeSpan.FromMinutes(1), NoTouch);
        Assert.Equal(at, loaded?.LastAccess);
    }

    /// <summary>Change sets are atomic per key: parallel requests writing different keys all keep their writes.</summary>
    [Fact]
    public async Task Twenty_parallel_updates_to_different_keys_are_all_kept()
    {
        var key = await CreateAsync(("seed", "0"));
        if (!Declares(SessionStoreGuarantees.AtomicChanges)) return;
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
            await Store.UpdateAsync(key, Change(Now.AddMilliseconds(i), ($"k{i}", i.ToString(System.Globalization.CultureInfo.InvariantCulture)))))));
        Assert.All(results, Assert.True);
        var loaded = await Store.LoadAsync(key, Now.AddSeconds(1), NoTouch);
        Assert.NotNull(loaded);
        Assert.Equal(21, loaded.Count);
        for (var i = 0; i < 20; i++) Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), Text(loaded, $"k{i}"));
    }

    /// <summary>
    /// The largest value the store holds, twice over in one session: by default the default
    /// <see cref="SatchelOptions.MaxValueBytes"/> (64 KiB). A store that holds less (the cookie
    /// store: one cookie) returns its own size, and refuses more with <see cref="SessionLimitExceededException"/>.
    /// </summary>
    protected virtual int LargestValueBytes => new SatchelOptions().MaxValueBytes;

    /// <summary>An empty value and two of the largest size (<see cref="LargestValueBytes"/>) all round-trip byte for byte.</summary>
    [Fact]
    public async Task Values_of_zero_bytes_and_of_the_size_limit_round_trip()
    {
        var large = new byte[LargestValueBytes];
        RandomNumberGenerator.Fill(large);
        var key = NewKey();
        await Store.CreateAsync(key, SessionRecord.FromValues(Metadata(), Now, [new("empty", Array.Empty<byte>()), new("large", large)]));
        Assert.True(await Store.UpdateAsync(key, new SessionChange { Now = Now, Values = new Dictionary<string, byte[]?> { ["empty2"] = [], ["large2"] = large } }));

        var loaded = await Store.LoadAsync(key, Now, NoTouch);
        Assert.NotNull(loaded);
        foreach (var name in new[] { "empty", "empty2" })
        {
            Assert.True(loaded.TryGetValue(name, out var empty), name);
            Assert.Equal(0, empty.Length);
        }
        foreach (var name in new[] { "large", "large2" })
        {
            Assert.True(loaded.TryGetValue(name, out var value), name);
            Assert.True(value.SequenceEqual(large), name);
        }
    }

    /// <summary>Keys are any non-empty string: unicode, punctuation, and names a store may use for itself.</summary>
    [Fact]
    public async Task Unicode_and_punctuated_keys_round_trip_and_stay_apart()
    {
        string[] keys = ["ключ", "😀 emoji", "a:b", "v:x", "_a", "_u", "s:", "with space", "x\ny", "Ä", "A\u0308"];
        var key = NewKey();
        await Store.CreateAsync(key, SessionRecord.FromValues(Metadata(), Now, keys.Select((k, i) => new KeyValuePair<string, ReadOnlyMemory<byte>>(k, Encoding.UTF8.GetBytes($"{i}")))));
        Assert.True(await Store.UpdateAsync(key, Change(Now, ("ключ", "\"changed\""), ("_a", null))));

        var loaded = await Store.LoadAsync(key, Now, NoTouch);
        Assert.NotNull(loaded);
        Assert.Equal(keys.Where(k => k != "_a").Order(StringComparer.Ordinal), loaded.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("\"changed\"", Text(loaded, "ключ"));
        Assert.Equal("1", Text(loaded, "😀 emoji"));
        Assert.Equal("9", Text(loaded, "Ä"));
        Assert.Equal("10", Text(loaded, "A\u0308"));
        Assert.Equal(Metadata(), loaded.Metadata);
    }

    /// <summary>A loaded record is a snapshot: later writes never change it under its reader, whether they resize the session or not.</summary>
    [Fact]
    public async Task A_loaded_record_does_not_change_when_the_session_is_written_later()
    {
        var key = await CreateAsync(("a", "1"));
        var before = await Store.LoadAsync(key, Now, NoTouch);
        Assert.True(await Store.UpdateAsync(key, Change(Now.AddSeconds(1), ("a", "2"), ("b", "3"))));
        Assert.NotNull(before);
        Assert.Equal("1", Text(before, "a"));
        Assert.Equal(1, before.Count);
        Assert.Equal(Now, before.LastAccess);

        // A write of the same size (a store may write that in place).
        var middle = await Store.LoadAsync(key, Now.AddSeconds(1), NoTouch);
        Assert.True(await Store.UpdateAsync(key, Change(Now.AddSeconds(2), ("a", "4"))));
        Assert.NotNull(middle);
        Assert.Equal("2", Text(middle, "a"));
        Assert.Equal("3", Text(middle, "b"));
        Assert.Equal("4", Text((await Store.LoadAsync(key, Now.AddSeconds(2), NoTouch))!, "a"));
    }

    /// <summary>The user index lists a user's live sessions, and drops those that ended or changed user.</summary>
    [Fact]
    public async Task The_user_index_lists_live_sessions_and_drops_ended_and_moved_ones()
    {
        var index = Store.GetCapability<ISessionUserIndex>();
        if (index is null) return;
        var (first, second, other, shortLived) = (NewKey(), NewKey(), NewKey(), NewKey());
        await Store.CreateAsync(first, Record(Metadata() with { UserId = "ann" }, ("a", "1")));
        await Store.CreateAsync(second, Record(Metadata() with { UserId = "ann", UserAgent = "phone" }, ("a", "2")));
        await Store.CreateAsync(other, Record(Metadata() with { UserId = "bob" }, ("a", "3")));
        await Store.CreateAsync(shortLived, Record(new SessionMetadata(Now, TimeSpan.FromMinutes(1), null, UserId: "ann"), ("a", "4")));

        var listed = await index.ListByUserAsync("ann", Now);
        Assert.Equal(new[] { first, second, shortLived }.Order(KeyOrder), listed.Select(s => s.Key).Order(KeyOrder));
        Assert.Equal("phone", listed.Single(s => s.Key == second).Metadata.UserAgent);
        Assert.All(listed, s => Assert.Equal("ann", s.Metadata.UserId));

        await Store.DeleteAsync(first);
        Assert.True(await Store.UpdateAsync(second, new SessionChange { Now = Now, Values = Values(), Metadata = Metadata() with { UserId = "carol" } }));
        Assert.Empty(await index.ListByUserAsync("ann", Now.AddMinutes(2)));
        Assert.Equal([second], (await index.ListByUserAsync("carol", Now)).Select(s => s.Key));
        Assert.Equal([other], (await index.ListByUserAsync("bob", Now)).Select(s => s.Key));
        Assert.Empty(await index.ListByUserAsync("nobody", Now));
    }

    /// <summary>An exclusive lease keeps others out until released, and a waiter past its timeout gets nothing.</summary>
    [Fact]
    public async Task A_held_session_lock_keeps_others_out_until_released()
    {
        var locks = Store.GetCapability<ISessionLocks>();
        if (locks is null) return;
        var key = NewKey();
        var held = await locks.AcquireAsync(key, TimeSpan.FromSeconds(5));
        Assert.NotNull(held);
        Assert.Null(await locks.AcquireAsync(key, TimeSpan.FromMilliseconds(100)));
        var otherSession = await locks.AcquireAsync(NewKey(), TimeSpan.FromMilliseconds(100));
        Assert.NotNull(otherSession);
        await otherSession.DisposeAsync();

        var waiter = locks.AcquireAsync(key, TimeSpan.FromSeconds(30)).AsTask();
        await held.DisposeAsync();
        var next = await waiter;
        Assert.NotNull(next);
        await next.DisposeAsync();
    }

    /// <summary>One-step increments: 100 parallel ones on one counter all count, each sees its own sum.</summary>
    [Fact]
    public async Task A_hundred_parallel_increments_all_count()
    {
        if (Store.GetCapability<ISessionOneStepValues>() is not { } atomics) return;
        var key = await CreateAsync(("seed", "0"));
        var sums = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(async () => await atomics.IncrementAsync(key, "n", 1, Now))));
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long?)i), sums.Order());
        var loaded = await Store.LoadAsync(key, Now, NoTouch);
        Assert.Equal("100", loaded is null ? null : Text(loaded, "n"));
        Assert.Equal("0", loaded is null ? null : Text(loaded, "seed"));
    }

    /// <summary>An increment adds to a whole number (absent: 0), refuses anything else, and counts as activity.</summary>
    [Fact]
    public async Task An_increment_adds_to_whole_numbers_only_and_moves_the_expiry()
    {
        if (Store.GetCapability<ISessionOneStepValues>() is not { } atomics) return;
        var key = await CreateAsync(("n", "41"), ("s", "\"x\""), ("f", "1.5"), ("max", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var at = Now.AddMinutes(15);
        Assert.Equal(43, await atomics.IncrementAsync(key, "n", 2, at));
        Assert.Equal(-5, await atomics.IncrementAsync(key, "new", -5, at));
        await Assert.ThrowsAsync<FormatException>(async () => await atomics.IncrementAsync(key, "s", 1, at));
        await Assert.ThrowsAsync<FormatException>(async () => await atomics.IncrementAsync(key, "f", 1, at));
        await Assert.ThrowsAsync<FormatException>(async () => await atomics.IncrementAsync(key, "max", 1, at));

        var loaded = await Store.LoadAsync(key, Now + Idle + TimeSpan.FromMinutes(1), NoTouch);
        Assert.NotNull(loaded);
        Assert.Equal(at, loaded.LastAccess);
        Assert.Equal("43", Text(loaded, "n"));
        Assert.Equal("-5", Text(loaded, "new"));
        Assert.Equal("\"x\"", Text(loaded, "s"));
        Assert.Equal("1.5", Text(loaded, "f"));
    }

    /// <summary>A one-step change never creates or brings back a session.</summary>
    [Fact]
    public async Task One_step_changes_to_a_deleted_or_expired_session_do_nothing()
    {
        if (Store.GetCapability<ISessionOneStepValues>() is not { } atomics) return;
        var deleted = await CreateAsync(("n", "1"));
        await Store.DeleteAsync(deleted);
        Assert.Null(await atomics.IncrementAsync(deleted, "n", 1, Now));
        Assert.Null(await atomics.ReplaceAsync(deleted, "n", null, "2"u8.ToArray(), Now));
        Assert.Null(await Store.LoadAsync(deleted, Now, NoTouch));

        var expired = await CreateAsync(("n", "1"));
        var later = Now + Idle + TimeSpan.FromSeconds(1);
        Assert.Null(await atomics.IncrementAsync(expired, "n", 1, later));
        Assert.Null(await atomics.ReplaceAsync(expired, "n", "1"u8.ToArray(), "2"u8.ToArray(), later));
        Assert.Null(await Store.LoadAsync(expired, later, NoTouch));
        Assert.Null(await atomics.IncrementAsync(NewKey(), "n", 1, Now));
    }

    /// <summary>Compare-and-set: the value is set only while it is the expected one, and the answer carries what the key holds.</summary>
    [Fact]
    public async Task A_replace_sets_only_while_the_value_is_the_expected_one()
    {
        if (Store.GetCapability<ISessionOneStepValues>() is not { } atomics) return;
        var key = await CreateAsync(("v", "\"a\""));
        var missed = await atomics.ReplaceAsync(key, "v", "\"b\""u8.ToArray(), "\"c\""u8.ToArray(), Now);
        Assert.Equal((false, "\"a\""), (missed?.Replaced, Json(missed?.Current)));
        var hit = await atomics.ReplaceAsync(key, "v", "\"a\""u8.ToArray(), "\"c\""u8.ToArray(), Now);
        Assert.Equal((true, "\"c\""), (hit?.Replaced, Json(hit?.Current)));
        var added = await atomics.ReplaceAsync(key, "added", null, "1"u8.ToArray(), Now);
        Assert.Equal((true, "1"), (added?.Replaced, Json(added?.Current)));
        var notAbsent = await atomics.ReplaceAsync(key, "added", null, "2"u8.ToArray(), Now);
        Assert.Equal((false, "1"), (notAbsent?.Replaced, Json(notAbsent?.Current)));
        var absent = await atomics.ReplaceAsync(key, "missing", "1"u8.ToArray(), "2"u8.ToArray(), Now);
        Assert.Equal((false, (string?)null), (absent?.Replaced, Json(absent?.Current)));

        // Twenty parallel claims of one key: exactly one wins.
        var claims = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
            await atomics.ReplaceAsync(key, "owner", null, Encoding.UTF8.GetBytes($"{i}"), Now))));
        Assert.Single(claims, c => c?.Replaced == true);

        var loaded = await Store.LoadAsync(key, Now, NoTouch);
        Assert.NotNull(loaded);
        Assert.Equal("\"c\"", Text(loaded, "v"));
        Assert.Equal("1", Text(loaded, "added"));
        Assert.False(loaded.ContainsKey("missing"));
    }

    /// <summary>A store declares only guarantees this suite knows how to check.</summary>
    [Fact]
    public void The_store_declares_only_known_guarantees()
    {
        const SessionStoreGuarantees known = SessionStoreGuarantees.Shared | SessionStoreGuarantees.AtomicChanges | SessionStoreGuarantees.NoResurrection;
        Assert.Equal(SessionStoreGuarantees.None, Store.Guarantees & ~known);
    }

    /// <summary>A new random key.</summary>
    protected static SessionKey NewKey() => SessionKey.FromBytes(RandomNumberGenerator.GetBytes(SessionKey.ByteLength));

    /// <summary>The metadata the tests' sessions start with: created now, 20 minutes idle, a day at most.</summary>
    protected SessionMetadata Metadata() => new(Now, Idle, Now.AddDays(1));

    private bool Declares(SessionStoreGuarantees guarantee) => Store.Guarantees.HasFlag(guarantee);

    private async Task<SessionKey> CreateAsync(params (string Key, string Json)[] values)
    {
        var key = NewKey();
        await Store.CreateAsync(key, Record(Metadata(), values));
        return key;
    }

    private SessionRecord Record(SessionMetadata metadata, params (string Key, string Json)[] values) =>
        SessionRecord.FromValues(metadata, Now, values.Select(v => new KeyValuePair<string, ReadOnlyMemory<byte>>(v.Key, Encoding.UTF8.GetBytes(v.Json))));

    private static SessionChange Change(DateTimeOffset now, params (string Key, string? Json)[] values) => new() { Now = now, Values = Values(values) };

    // A change made over the record the request loaded, as a session's commit sends it.
    private static SessionChange ChangeOver(SessionRecord? loaded, DateTimeOffset now, params (string Key, string? Json)[] values) =>
        new() { Now = now, Values = Values(values), Base = loaded };

    private static Dictionary<string, byte[]?> Values(params (string Key, string? Json)[] values) =>
        values.ToDictionary(v => v.Key, v => v.Json is null ? null : Encoding.UTF8.GetBytes(v.Json), StringComparer.Ordinal);

    private static string? Json(ReadOnlyMemory<byte>? json) => json is { } j ? Encoding.UTF8.GetString(j.Span) : null;

    private static string? Text(SessionRecord record, string key) => record.TryGetValue(key, out var json) ? Encoding.UTF8.GetString(json) : null;

    private static readonly Comparer<SessionKey> KeyOrder = Comparer<SessionKey>.Create((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
}
