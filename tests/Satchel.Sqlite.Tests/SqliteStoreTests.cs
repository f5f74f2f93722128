using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Satchel.Tests.Support;

namespace Satchel.Sqlite.Tests;

/// <summary>What the SQLite store adds to the contract: durability, a shared file, the sweep, one lookup per read.</summary>
public sealed class SqliteStoreTests : IDisposable
{
    private const string Secret = "sqlite-test-secret-0123456789-abcdefghijklmnop";
    private readonly TempDatabase _database = new();

    [Fact]
    public async Task A_session_survives_a_restart_of_the_app()
    {
        var options = new SatchelOptions();
        options.Secrets.Add(Secret);
        string? cookie;
        using (var store = new SqliteSessionStore(_database.Path))
        using (var before = new SessionManager(options, store))
        {
            var browser = new CookieJar(before);
            await browser.RequestAsync(s => s["cart"] = "3 books");
            cookie = browser.Value;
        }

        using var restarted = new SqliteSessionStore(_database.Path);
        using var after = new SessionManager(options, restarted);
        var again = new CookieJar(after) { Value = cookie };
        Assert.Equal("3 books", await again.RequestAsync(s => s["cart"]));
    }

    [Fact]
    public async Task A_commit_to_a_session_destroyed_or_regenerated_since_it_loaded_fails_visibly_and_brings_nothing_back()
    {
        var options = new SatchelOptions();
        options.Secrets.Add(Secret);
        using var store = new SqliteSessionStore(_database.Path);
        using var manager = new SessionManager(options, store);
        await EndedSessionCommits.AssertAsync(manager);
    }

    [Fact]
    public void The_store_refuses_to_start_without_configured_secrets()
    {
        using var store = new SqliteSessionStore(_database.Path);
        var error = Assert.Throws<InvalidOperationException>(() => new SessionManager(new SatchelOptions(), store));
        Assert.Contains("Satchel:Secrets", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_stores_on_one_file_see_each_others_sessions_and_keep_each_others_parallel_writes()
    {
        using var first = new SqliteSessionStore(_database.Path);
        using var second = new SqliteSessionStore(_database.Path);
        var now = DateTimeOffset.UtcNow;
        var key = NewKey();
        await first.CreateAsync(key, Record(now, ("seed", "0")));

        var writes = Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            var store = i % 2 == 0 ? first : second;
            var change = new SessionChange { Now = now, Values = new Dictionary<string, byte[]?> { [$"k{i}"] = Encoding.UTF8.GetBytes(i.ToString()) } };
            return await store.UpdateAsync(key, change);
        }));
        Assert.All(await Task.WhenAll(writes), Assert.True);

        var loaded = await second.LoadAsync(key, now, TimeSpan.FromDays(1));
        Assert.Equal(41, loaded?.Count);
    }

    [Fact]
    public async Task The_sweep_removes_expired_rows_in_batches_and_keeps_live_ones()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var store = new SqliteSessionStore(_database.Path, new SqliteSessionStoreOptions { SweepBatchSize = 7, SweepInterval = TimeSpan.FromHours(1) }, time);
        var start = time.GetUtcNow();
        for (var i = 0; i < 30; i++) await store.CreateAsync(NewKey(), Record(start, ("a", "1"), idle: TimeSpan.FromMinutes(5)));
        var live = NewKey();
        await store.CreateAsync(live, Record(start, ("a", "1"), idle: TimeSpan.FromHours(2)));

        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(30, store.SweepExpired());
        Assert.Equal(1, CountRows());
        Assert.NotNull(await store.LoadAsync(live, time.GetUtcNow(), TimeSpan.FromDays(1)));

        // The background timer runs the same sweep.
        await store.CreateAsync(NewKey(), Record(time.GetUtcNow(), ("a", "1"), idle: TimeSpan.FromMinutes(5)));
        Assert.Equal(2, CountRows());
        time.Advance(TimeSpan.FromMinutes(50));
        Assert.Equal(1, CountRows());
    }

    [Fact]
    public void A_read_is_one_primary_key_lookup()
    {
        using var store = new SqliteSessionStore(_database.Path);
        using var connection = new SqliteConnection($"Data Source={_database.Path};Pooling=False");
        connection.Open();
        using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + new SqliteSchema("satchel_sessions").Load;
        explain.Parameters.AddWithValue("$key", new byte[32]);
        explain.Parameters.AddWithValue("$now", 0L);
        using var reader = explain.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read()) plan.Add(reader.GetString(3));
        Assert.Equal(["SEARCH satchel_sessions USING PRIMARY KEY (key=?)"], plan);
    }

    [Fact]
    public void Bad_settings_and_an_unusable_path_say_what_to_fix()
    {
        var table = Assert.Throws<InvalidOperationException>(() => new SqliteSessionStore(_database.Path, new SqliteSessionStoreOptions { TableName = "sessions; DROP TABLE x" }));
        Assert.Contains("TableName", table.Message, StringComparison.Ordinal);
        var path = Path.Combine(_database.Directory, "missing-directory", "sessions.db");
        var open = Assert.Throws<InvalidOperationException>(() => new SqliteSessionStore(path));
        Assert.Contains(path, open.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _database.Dispose();

    private int CountRows()
    {
        using var connection = new SqliteConnection($"Data Source={_database.Path};Pooling=False");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM satchel_sessions";
        return Convert.ToInt32(count.ExecuteScalar());
    }

    private static SessionKey NewKey() => SessionKey.FromBytes(System.Security.Cryptography.RandomNumberGenerator.GetBytes(SessionKey.ByteLength));

    private static SessionRecord Record(DateTimeOffset now, (string Key, string Json) value, TimeSpan? idle = null) =>
        SessionRecord.FromValues(new SessionMetadata(now, idle ?? TimeSpan.FromMinutes(20), null), now, [new(value.Key, Encoding.UTF8.GetBytes(value.Json))]);
}
