using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Satchel.Postgres.Tests.Support;

namespace Satchel.Postgres.Tests;

/// <summary>What the PostgreSQL store costs and promises beyond the contract: plans, round trips, the sweep, the schema.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private readonly string _table = "t" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<IAsyncDisposable> _stores = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
    }

    [Fact]
    public async Task A_read_is_one_primary_key_lookup_and_a_write_one_more()
    {
        var store = Store();
        for (var i = 0; i < 2_000; i++) await store.CreateAsync(NewKey(), Record(("n", $"{i}")));
        await ExecuteAsync($"ANALYZE {_table}");
        var key = NewKey();
        var keyHex = "'\\x" + Convert.ToHexString(KeyBytes(key)) + "'::bytea";
        var at = Start.ToUnixTimeMilliseconds();

        var read = await PlanAsync($"SELECT last_access, created, idle_ms, deadline, persistent, user_id, user_agent, vals FROM {_table} WHERE key = {keyHex} AND expires_at > {at}");
        Assert.Contains($"Index Scan using {_table}_pkey on {_table}", read);
        Assert.DoesNotContain("Seq Scan", read);
        Assert.Equal(1, Occurrences(read, "Index Scan"));

        var write = await PlanAsync($"UPDATE {_table} SET vals = vals || '{{}}'::jsonb, last_access = {at} WHERE key = {keyHex} AND expires_at > {at}");
        Assert.Contains($"Index Scan using {_table}_pkey on {_table}", write);
        Assert.DoesNotContain("Seq Scan", write);
    }

    [Fact]
    public async Task A_write_is_one_round_trip_whatever_the_number_of_keys_and_a_read_one_until_its_touch_is_due()
    {
        var store = Store();
        var key = NewKey();
        await store.CreateAsync(key, Record(("a", "1")));
        using var commands = new CommandCounter(_table);

        Assert.True(await store.UpdateAsync(key, Change(Start.AddSeconds(1), ("a", "2"))));
        Assert.Equal(1, commands.Take());

        var many = Enumerable.Range(0, 40).Select(i => ($"k{i}", (string?)$"{i}")).Append(("a", null)).ToArray();
        Assert.True(await store.UpdateAsync(key, Change(Start.AddSeconds(2), many)));
        Assert.Equal(1, commands.Take());

        var loaded = await store.LoadAsync(key, Start.AddSeconds(3), TimeSpan.FromMinutes(1));
        Assert.Equal(1, commands.Take());
        Assert.False(loaded!.Touched);
        Assert.Equal(40, loaded.Count);

        // Due for the throttled refresh: the one read that makes it pays a second statement.
        var touched = await store.LoadAsync(key, Start.AddMinutes(2), TimeSpan.FromMinutes(1));
        Assert.Equal(2, commands.Take());
        Assert.True(touched!.Touched);
        Assert.Equal(Start.AddMinutes(2), touched.LastAccess);
    }

    [Fact]
    public async Task Two_processes_sweeping_at_once_remove_each_expired_session_once_in_small_batches()
    {
        var time = new FakeTimeProvider(Start);
        var options = new PostgresSessionStoreOptions { TableName = _table, SweepBatchSize = 100, SweepInterval = TimeSpan.FromDays(1) };
        var first = Store(options, time);
        var second = Store(options, time);
        var live = NewKey();
        await first.CreateAsync(live, Record(("keep", "1"), idle: TimeSpan.FromHours(2)));
        var expired = new HashSet<string>();
        for (var i = 0; i < 1_200; i++)
        {
            var key = NewKey();
            expired.Add(key.ToString());
            await first.CreateAsync(key, Record(("n", $"{i}"), idle: TimeSpan.FromMinutes(1 + i % 30)));
        }
        var reported = new ConcurrentBag<ExpiredSession>();
        first.Expired += reported.Add;
        second.Expired += reported.Add;
        time.Advance(TimeSpan.FromHours(1));

        var removed = await Task.WhenAll(first.SweepExpiredAsync(), second.SweepExpiredAsync());

        Assert.Equal(1_200, removed.Sum());
        Assert.Equal(1_200, reported.Count);
        Assert.Equal(expired.Order(), reported.Select(r => r.Key.ToString()).Order());
        Assert.All(reported, r => Assert.True(r.ExpiredAt <= time.GetUtcNow()));
        Assert.Equal(1L, await ScalarAsync<long>($"SELECT count(*) FROM {_table}"));
        Assert.NotNull(await first.LoadAsync(live, time.GetUtcNow(), TimeSpan.FromDays(1)));
    }

    [Fact]
    public async Task An_expired_session_never_loads_even_before_the_sweep()
    {
        var store = Store();
        var key = NewKey();
        await store.CreateAsync(key, Record(("a", "1"), idle: TimeSpan.FromMinutes(5)));
        Assert.NotNull(await store.LoadAsync(key, Start.AddMinutes(4), TimeSpan.FromDays(1)));
        Assert.Null(await store.LoadAsync(key, Start.AddMinutes(5), TimeSpan.FromDays(1)));
        Assert.False(await store.UpdateAsync(key, Change(Start.AddMinutes(6), ("a", "2"))));
        Assert.Equal(1L, await ScalarAsync<long>($"SELECT count(*) FROM {_table}"));   // still there: the sweep has not run
    }

    [Fact]
    public async Task Without_DDL_rights_the_store_names_the_script_to_run()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            PostgresSessionStore.Connect(server.ConnectionString, new PostgresSessionStoreOptions { TableName = _table, CreateSchema = false }));
        Assert.Contains("docs/stores/postgres.md", error.Message, StringComparison.Ordinal);
        Assert.Contains(_table, error.Message, StringComparison.Ordinal);
        Assert.Null(await ScalarAsync<string?>($"SELECT to_regclass('{_table}')::text"));   // nothing created
    }

    [Fact]
    public async Task Tables_of_a_newer_schema_version_are_refused_and_a_foreign_table_too()
    {
        Store();
        await ExecuteAsync($"COMMENT ON TABLE {_table} IS 'satchel schema 2'");
        foreach (var create in new[] { false, true })
        {
            var newer = Assert.Throws<InvalidOperationException>(() => PostgresSessionStore.Connect(server.ConnectionString, new PostgresSessionStoreOptions { TableName = _table, CreateSchema = create }));
            Assert.Contains("version 2", newer.Message, StringComparison.Ordinal);
        }
        Assert.Equal("satchel schema 2", await ScalarAsync<string>($"SELECT obj_description('{_table}'::regclass, 'pg_class')"));   // left as it was

        await ExecuteAsync($"COMMENT ON TABLE {_table} IS 'orders of the shop'");
        var foreign = Assert.Throws<InvalidOperationException>(() => PostgresSessionStore.Connect(server.ConnectionString, new PostgresSessionStoreOptions { TableName = _table }));
        Assert.Contains("not a Satchel session table", foreign.Message, StringComparison.Ordinal);

        await ExecuteAsync($"COMMENT ON TABLE {_table} IS NULL");
        var unmarked = Assert.Throws<InvalidOperationException>(() => PostgresSessionStore.Connect(server.ConnectionString, new PostgresSessionStoreOptions { TableName = _table }));
        Assert.Contains("does not change a table it did not create", unmarked.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_script_in_the_docs_is_the_schema_the_store_creates()
    {
        var docs = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "stores", "postgres.md"));
        var start = docs.IndexOf("```sql\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/stores/postgres.md has no sql block");
        var script = docs[(start + 7)..docs.IndexOf("```", start + 7, StringComparison.Ordinal)];
        Assert.Equal(Normalize(new PostgresSchema("satchel_sessions", null).Create), Normalize(script));

        // And it works where the app may not create tables.
        await ExecuteAsync(script.Replace("satchel_sessions", _table, StringComparison.Ordinal));
        Store(new PostgresSessionStoreOptions { TableName = _table, CreateSchema = false });
    }

    [Fact]
    public void A_key_PostgreSQL_cannot_hold_is_refused_with_a_clear_message()
    {
        var store = Store();
        var error = Assert.Throws<ArgumentException>(() => store.CreateAsync(NewKey(), Record(("a\0b", "1"))).AsTask().GetAwaiter().GetResult());
        Assert.Contains("U+0000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_are_refused_at_start_up()
    {
        Assert.Throws<InvalidOperationException>(() => PostgresSessionStore.Connect(server.ConnectionString, new PostgresSessionStoreOptions { TableName = "Sessions; DROP TABLE x" }));
        Assert.Throws<InvalidOperationException>(() => PostgresSessionStore.Connect(server.ConnectionString, new PostgresSessionStoreOptions { SweepBatchSize = 0 }));
    }

    private PostgresSessionStore Store(PostgresSessionStoreOptions? options = null, TimeProvider? time = null)
    {
        var store = PostgresSessionStore.Connect(server.ConnectionString, options ?? new PostgresSessionStoreOptions { TableName = _table }, time);
        _stores.Add(store);
        return store;
    }

    private static SessionKey NewKey() => SessionKey.FromBytes(System.Security.Cryptography.RandomNumberGenerator.GetBytes(SessionKey.ByteLength));

    private static byte[] KeyBytes(SessionKey key)
    {
        var bytes = new byte[SessionKey.ByteLength];
        key.CopyTo(bytes);
        return bytes;
    }

    private static SessionRecord Record((string Key, string Json) value, TimeSpan? idle = null) =>
        SessionRecord.FromValues(new SessionMetadata(Start, idle ?? TimeSpan.FromMinutes(30), Start.AddDays(1)), Start,
            [new(value.Key, Encoding.UTF8.GetBytes(value.Json))]);

    private static SessionChange Change(DateTimeOffset now, params (string Key, string? Json)[] values) => new()
    {
        Now = now,
        Values = values.ToDictionary(v => v.Key, v => v.Json is null ? null : Encoding.UTF8.GetBytes(v.Json)),
    };

    private async Task<string> PlanAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var explain = new NpgsqlCommand("EXPLAIN " + sql, connection);
        await using var reader = await explain.ExecuteReaderAsync();
        var plan = new StringBuilder();
        while (await reader.ReadAsync()) plan.AppendLine(reader.GetString(0));
        return plan.ToString();
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull or null ? default! : (T)value;
    }

    private static int Occurrences(string text, string word) => text.Split(word).Length - 1;

    private static string Normalize(string sql) => string.Join("\n", sql.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Satchel.slnx"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Satchel.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Counts the statements Npgsql sends about one table (its tracing, as OpenTelemetry would see it).</summary>
    private sealed class CommandCounter : IDisposable
    {
        private readonly ActivityListener _listener;
        private int _count;

        public CommandCounter(string table)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "Npgsql",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    if (activity.Tags.Any(t => t.Value?.Contains(table, StringComparison.Ordinal) == true)) Interlocked.Increment(ref _count);
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public int Take() => Interlocked.Exchange(ref _count, 0);

        public void Dispose() => _listener.Dispose();
    }
}
