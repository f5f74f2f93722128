using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Satchel.Tests;

/// <summary>The memory store's own structure (shards, growth, sweeps); the contract itself is in MemoryStoreConformanceTests.</summary>
public class MemoryStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly MemorySessionStoreOptions SweepDaily = new() { SweepInterval = TimeSpan.FromDays(1) };

    [Fact]
    public async Task Every_session_stays_findable_through_growth_deletes_expiry_sweeps_and_shrinking()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new MemorySessionStore(SweepDaily, time);
        const int count = 20_000;
        var keys = NewKeys(count);
        for (var i = 0; i < count; i++)
        {
            // Every other session lives 10 minutes, the rest an hour.
            var idle = i % 2 == 0 ? TimeSpan.FromMinutes(10) : TimeSpan.FromHours(1);
            await store.CreateAsync(keys[i], Record(i, idle));
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
            if (record is not null) Assert.Equal($"\"{i}\"", Text(record, "n"));
        }
        Assert.Equal(count / 4, store.Count);

        // Most of the rest expire: the table shrinks and what is left still loads.
        for (var i = 3; i < count; i += 4) await store.DeleteAsync(keys[i]);
        Assert.Equal(0, store.SweepExpired());
        Assert.Equal(0, store.Count);
        await store.CreateAsync(keys[0], Record(0, TimeSpan.FromHours(1)));
        Assert.NotNull(await store.LoadAsync(keys[0], time.GetUtcNow(), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task Parallel_creates_writes_loads_deletes_and_sweeps_keep_the_table_and_its_count_consistent()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new MemorySessionStore(SweepDaily, time);
        var keys = NewKeys(4_000);
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
                        await store.CreateAsync(keys[i], Record(i, TimeSpan.FromHours(1)));
                        live[i] = true;
                        break;
                    case 1:
                        var change = new SessionChange { Now = Start, Values = new Dictionary<string, byte[]?> { ["n"] = Json(i) } };
                        Assert.Equal(live[i], await store.UpdateAsync(keys[i], change));
                        break;
                    case 2:
                        await store.DeleteAsync(keys[i]);
                        live[i] = false;
                        break;
                    default:
                        var record = await store.LoadAsync(keys[i], Start, TimeSpan.FromMinutes(1));
                        Assert.Equal(live[i], record is not null);
                        if (record is not null) Assert.Equal($"\"{i}\"", Text(record, "n"));
                        break;
                }
                if (worker == 0 && step % 2_000 == 0) Assert.Equal(0, store.SweepExpired());
            }
        })));

        Assert.Equal(live.Count(l => l), store.Count);
        for (var i = 0; i < keys.Length; i++)
            Assert.Equal(live[i], await store.LoadAsync(keys[i], Start, TimeSpan.FromMinutes(1)) is not null);
    }

    [Fact]
    public async Task Sessions_held_cost_the_managed_heap_only_their_table_slots()
    {
        // The sessions' bytes live in native memory: the GC's heap, and so the budget the GC keeps
        // committed in proportion to it, grows only by the tables' slot arrays. Counted on this
        // thread, so tests running alongside do not disturb it.
        using var store = new MemorySessionStore(SweepDaily, new FakeTimeProvider(Start));
        const int count = 20_000;
        var keys = NewKeys(count);
        var values = new Dictionary<string, ReadOnlyMemory<byte>> { ["user"] = Encoding.UTF8.GetBytes("\"" + new string('u', 100) + "\""), ["hits"] = Json(7) };
        var records = keys.Select(_ => SessionRecord.FromValues(new SessionMetadata(Start, TimeSpan.FromHours(1), null), Start, values)).ToArray();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < count; i++) await store.CreateAsync(keys[i], records[i]);
        var perSession = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)count;

        // Slots, with every array the 64 tables outgrew on the way: about 26 bytes per session here;
        // a session on the managed heap would be past 200.
        Assert.InRange(perSession, 0, 48);
        Assert.Equal(count, store.Count);
        Assert.Equal("\"7\"", Text((await store.LoadAsync(keys[^1], Start, TimeSpan.FromMinutes(1)))!, "hits"));
    }

    [Fact]
    public async Task Dispose_frees_every_session_and_later_calls_say_the_store_is_disposed()
    {
        var store = new MemorySessionStore(SweepDaily, new FakeTimeProvider(Start));
        var keys = NewKeys(100);
        foreach (var key in keys) await store.CreateAsync(key, Record(1, TimeSpan.FromHours(1)));
        var loaded = await store.LoadAsync(keys[0], Start, TimeSpan.FromMinutes(1));

        store.Dispose();
        store.Dispose();

        Assert.Equal(0, store.Count);
        // A record loaded before is the caller's own copy.
        Assert.Equal("\"1\"", Text(loaded!, "n"));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.LoadAsync(keys[0], Start, TimeSpan.FromMinutes(1)));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.CreateAsync(keys[0], Record(1, TimeSpan.FromHours(1))));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.UpdateAsync(keys[1], new SessionChange { Now = Start, Values = new Dictionary<string, byte[]?> { ["n"] = Json(2) } }));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.IncrementAsync(keys[1], "c", 1, Start));
        Assert.Equal(0, store.SweepExpired());
    }

    private static SessionKey[] NewKeys(int count) => [.. Enumerable.Range(0, count).Select(_ => SessionKey.FromToken(SessionToken.NewToken()))];

    private static byte[] Json(int i) => Encoding.UTF8.GetBytes($"\"{i}\"");

    private static SessionRecord Record(int i, TimeSpan idle) =>
        SessionRecord.FromValues(new SessionMetadata(Start, idle, null), Start, [new("n", Json(i))]);

    private static string Text(SessionRecord record, string key) =>
        record.TryGetValue(key, out var json) ? Encoding.UTF8.GetString(json) : "(missing)";
}
