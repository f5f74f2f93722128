using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Satchel.Tests;

public class MemoryStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Every_session_stays_findable_through_growth_deletes_expiry_sweeps_and_shrinking()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new MemorySessionStore(time, TimeSpan.FromDays(1));
        const int count = 20_000;
        var keys = Enumerable.Range(0, count).Select(_ => SessionToken.StoreKey(SessionToken.NewToken())).ToArray();
        for (var i = 0; i < count; i++)
        {
            // Every other session lives 10 minutes, the rest an hour.
            var idle = i % 2 == 0 ? TimeSpan.FromMinutes(10) : TimeSpan.FromHours(1);
            Assert.True(await store.CommitAsync(keys[i], Create(i, idle)));
        }
        Assert.Equal(count, store.Count);

        for (var i = 1; i < count; i += 4) await store.DeleteAsync(keys[i]);   // a quarter, all long-lived
        time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(count / 2, store.SweepExpired());

        for (var i = 0; i < count; i++)
        {
            var record = await store.LoadAsync(keys[i], time.GetUtcNow(), TimeSpan.FromMinutes(1));
            var live = i % 2 == 1 && i % 4 != 1;
            Assert.Equal(live, record is not null);
            if (record is not null) Assert.Equal($"\"{i}\"", Encoding.UTF8.GetString(record.Values["n"]));
        }
        Assert.Equal(count / 4, store.Count);

        // Most of the rest expire: the table shrinks and what is left still loads.
        for (var i = 3; i < count; i += 4) await store.DeleteAsync(keys[i]);
        Assert.Equal(0, store.SweepExpired());
        Assert.Equal(0, store.Count);
        Assert.True(await store.CommitAsync(keys[0], Create(0, TimeSpan.FromHours(1))));
        Assert.NotNull(await store.LoadAsync(keys[0], time.GetUtcNow(), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task A_session_keeps_its_user_agent_persistence_and_deadline_across_writes()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new MemorySessionStore(time);
        var key = SessionToken.StoreKey(SessionToken.NewToken());
        var metadata = new SessionMetadata(Start, TimeSpan.FromDays(30), Start.AddDays(60), Persistent: true, UserId: "ünïcode-user", UserAgent: "Mozilla/5.0 (X11; Linux x86_64)");
        await store.CommitAsync(key, new SessionChange { Now = Start, Create = true, Metadata = metadata, Values = Values(("a", "1"), ("ключ", "2")) });
        time.Advance(TimeSpan.FromMinutes(5));
        await store.CommitAsync(key, new SessionChange { Now = time.GetUtcNow(), Values = Values(("a", null), ("b", "3")) });

        var record = await store.LoadAsync(key, time.GetUtcNow(), TimeSpan.FromMinutes(1));
        Assert.NotNull(record);
        Assert.Equal(metadata, record.Metadata);
        Assert.Equal(time.GetUtcNow(), record.LastAccess);
        Assert.Equal(["b", "ключ"], record.Values.Keys.Order(StringComparer.Ordinal));
        var listed = Assert.Single(await store.ListByUserAsync("ünïcode-user", time.GetUtcNow()));
        Assert.Equal(key, listed.Key);
    }

    [Fact]
    public async Task Parallel_creates_writes_loads_deletes_and_sweeps_keep_the_table_and_its_count_consistent()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new MemorySessionStore(time, TimeSpan.FromDays(1));
        var keys = Enumerable.Range(0, 4_000).Select(_ => SessionToken.StoreKey(SessionToken.NewToken())).ToArray();
        var live = new bool[keys.Length];

        // Each worker owns every fourth key, so the expected state is known, while all of them
        // share the 64 tables, their growth and the sweeps running alongside.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            for (var step = 0; step < 20_000; step++)
            {
                var i = random.Next(keys.Length / 4) * 4 + worker;
                switch (random.Next(4))
                {
                    case 0:
                        Assert.True(await store.CommitAsync(keys[i], Create(i, TimeSpan.FromHours(1))));
                        live[i] = true;
                        break;
                    case 1:
                        var change = new SessionChange { Now = Start, Values = Values(("n", i.ToString(System.Globalization.CultureInfo.InvariantCulture))) };
                        Assert.Equal(live[i], await store.CommitAsync(keys[i], change));
                        break;
                    case 2:
                        await store.DeleteAsync(keys[i]);
                        live[i] = false;
                        break;
                    default:
                        var record = await store.LoadAsync(keys[i], Start, TimeSpan.FromMinutes(1));
                        Assert.Equal(live[i], record is not null);
                        if (record is not null) Assert.Equal($"\"{i}\"", Encoding.UTF8.GetString(record.Values["n"]));
                        break;
                }
                if (worker == 0 && step % 2_000 == 0) Assert.Equal(0, store.SweepExpired());
            }
        })));

        Assert.Equal(live.Count(l => l), store.Count);
        for (var i = 0; i < keys.Length; i++)
            Assert.Equal(live[i], await store.LoadAsync(keys[i], Start, TimeSpan.FromMinutes(1)) is not null);
    }

    private static SessionChange Create(int i, TimeSpan idle) => new()
    {
        Now = Start,
        Create = true,
        Metadata = new SessionMetadata(Start, idle, null),
        Values = Values(("n", i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
    };

    private static Dictionary<string, byte[]?> Values(params (string Key, string? Value)[] values) =>
        values.ToDictionary(v => v.Key, v => v.Value is null ? null : Encoding.UTF8.GetBytes($"\"{v.Value}\""));
}
