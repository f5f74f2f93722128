using Satchel.Redis.Tests.Support;

namespace Satchel.Redis.Tests;

/// <summary>
/// The Redis store on Microsoft Garnet hosted in this process, in every run whatever the machine
/// has, against the whole store contract: parallel writes to different keys all kept, no
/// resurrection after a destroy, atomic increments, the user index and locks — each of which
/// needs Garnet's Lua in transaction mode.
/// </summary>
[Collection("garnet")]
public sealed class GarnetConformanceTests(GarnetFixture garnet) : RedisConformanceTests(garnet.Endpoint);

/// <summary>What only many connections show: Garnet runs each connection's commands in order, so a script's atomicity shows between connections.</summary>
[Collection("garnet")]
public sealed class GarnetAtomicityTests(GarnetFixture garnet)
{
    [Fact]
    public async Task Garnet_takes_value_writes_as_plain_commands_as_redis_7_does()
    {
        using var app = new RedisSetup(garnet.Endpoint, prefix: $"g{Guid.NewGuid():N}:");
        var browser = app.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        await browser.RequestAsync(s => s["b"] = "2");
        Assert.True(app.Store.PlainWrites, "Garnet should report a server version with PEXPIREAT NX and GT (7.0 or later).");
        Assert.Equal("2", await browser.RequestAsync(s => s["b"]));
    }

    [Fact]
    public async Task Parallel_writes_and_increments_from_eight_app_connections_are_all_kept()
    {
        var prefix = $"g{Guid.NewGuid():N}:";
        var apps = Enumerable.Range(0, 8).Select(_ => new RedisSetup(garnet.Endpoint, prefix: prefix)).ToArray();
        try
        {
            var browser = apps[0].NewBrowser();
            await browser.RequestAsync(s => s["start"] = "1");
            var cookie = browser.Value;
            // Each app server writes its own keys and counts, at the same time, into one session.
            await Task.WhenAll(apps.SelectMany((app, a) => Enumerable.Range(0, 25).Select(i => Task.Run(async () =>
            {
                var other = app.NewBrowser();
                other.Value = cookie;
                // Loaded first, never blocking a thread: Garnet serves from this process's thread pool.
                await other.RequestAsync(async s =>
                {
                    await s.LoadAsync();
                    s[$"a{a}k{i}"] = "x";
                });
                var counter = app.NewBrowser();
                counter.Value = cookie;
                await counter.RequestAsync(async s => await s.IncrementAsync("n"));
            }))));
            var (keys, n) = await browser.RequestAsync(async s =>
            {
                await s.LoadAsync();
                return (s.Keys.Count, s.Get<int>("n"));
            });
            Assert.Equal(1 + 8 * 25 + 1, keys);
            Assert.Equal(200, n);
        }
        finally
        {
            foreach (var app in apps) app.Dispose();
        }
    }
}

/// <summary>One in-memory Garnet for the tests of the "garnet" collection.</summary>
public sealed class GarnetFixture : IDisposable
{
    private readonly GarnetHost _server;

    public GarnetFixture()
    {
        Port = RedisServer.FreePort();
        _server = new GarnetHost(Port, Path.GetTempPath(), durable: false);
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public void Dispose() => _server.Dispose();
}

[CollectionDefinition("garnet")]
public sealed class GarnetCollection : ICollectionFixture<GarnetFixture>;
