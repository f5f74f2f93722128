using System.Diagnostics;
using System.Globalization;
using Satchel.Redis.Tests.Support;
using Satchel.Tests.Support;

namespace Satchel.Redis.Tests;

/// <summary>Three real primaries in cluster mode on loopback ports: redis-server, or Garnet where it is missing.</summary>
public sealed class RedisClusterFixture : IDisposable
{
    private static readonly (int First, int Last)[] Slots = [(0, 5460), (5461, 10922), (10923, 16383)];
    private readonly List<RedisServer> _nodes = [];

    public RedisClusterFixture()
    {
        for (var i = 0; i < 3; i++)
        {
            var port = RedisServer.FreePort(busOffset: 10000);
            _nodes.Add(new RedisServer(RedisServer.IsGarnet
                ? ["--cluster", "true", "--cluster-timeout", "2"]
                : ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"], port));
        }
        if (RedisServer.IsGarnet) JoinByHand();
        else CreateWithRedisCli();

        var waited = Stopwatch.StartNew();
        while (!_nodes.All(n => (n.Command("CLUSTER", "INFO") ?? "").Contains("cluster_state:ok", StringComparison.Ordinal)))
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30)) throw new InvalidOperationException("the Redis cluster did not become ready: " + _nodes[0].Command("CLUSTER", "INFO"));
            Thread.Sleep(100);
        }
    }

    private void CreateWithRedisCli()
    {
        var create = new ProcessStartInfo("redis-cli", ["--cluster", "create", .. _nodes.Select(n => n.Endpoint), "--cluster-replicas", "0", "--cluster-yes"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var cli = Process.Start(create)!;
        var output = cli.StandardOutput.ReadToEnd() + cli.StandardError.ReadToEnd();
        cli.WaitForExit();
        if (cli.ExitCode != 0) throw new InvalidOperationException("redis-cli --cluster create failed: " + output);
    }

    // What redis-cli --cluster create does, by hand: each node takes a third of the slots, then they meet.
    private void JoinByHand()
    {
        for (var i = 0; i < _nodes.Count; i++)
        {
            var reply = _nodes[i].Command("CLUSTER", "ADDSLOTSRANGE", Slots[i].First.ToString(CultureInfo.InvariantCulture), Slots[i].Last.ToString(CultureInfo.InvariantCulture));
            if (reply != "+OK") throw new InvalidOperationException($"CLUSTER ADDSLOTSRANGE on {_nodes[i].Endpoint}: {reply}");
        }
        foreach (var node in _nodes.Skip(1))
        {
            var reply = _nodes[0].Command("CLUSTER", "MEET", "127.0.0.1", node.Port.ToString(CultureInfo.InvariantCulture));
            if (reply != "+OK") throw new InvalidOperationException($"CLUSTER MEET {node.Endpoint}: {reply}");
        }
    }

    public string Endpoints => string.Join(",", _nodes.Select(n => n.Endpoint));

    public void Dispose()
    {
        foreach (var node in _nodes) node.Dispose();
    }
}

/// <summary>One cluster for every class that needs it: starting one takes seconds.</summary>
[CollectionDefinition("redis-cluster")]
public sealed class RedisClusterCollection : ICollectionFixture<RedisClusterFixture>;

[Collection("redis-cluster")]
public class RedisClusterTests(RedisClusterFixture cluster)
{
    [Fact]
    public async Task The_core_scenarios_work_on_a_three_primary_cluster()
    {
        using var setup = new RedisSetup(cluster.Endpoints);
        Assert.Equal(3, setup.Connection.GetEndPoints().Length);
        var admin = new SessionAdmin(setup.Manager);

        // Many sessions, so their keys land in different slots of different nodes.
        var browsers = Enumerable.Range(0, 12).Select(_ => setup.NewBrowser()).ToArray();
        for (var i = 0; i < browsers.Length; i++)
        {
            var n = i;
            await browsers[i].RequestAsync(s => { s.Set("n", n); s.UserId = "ann"; });
        }
        for (var i = 0; i < browsers.Length; i++) Assert.Equal(i, await browsers[i].RequestAsync(s => s.Get<int>("n")));
        var nodesUsed = setup.Connection.GetEndPoints().Select(e => setup.Connection.GetServer(e)).Count(s => s.Keys(pattern: setup.Prefix + "s:*").Any());
        Assert.True(nodesUsed >= 2, $"sessions landed on {nodesUsed} node(s)");

        // Parallel writes to different keys of one session.
        var browser = browsers[0];
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            var session = setup.Manager.Open($"sid={browser.Value}", false, cookieSink: new RecordingCookieSink());
            await session.LoadAsync();
            session.Set($"key{i}", i);
            await session.CommitAsync();
        })));
        Assert.Equal(21, await browser.RequestAsync(s => s.Keys.Count));

        // Regenerate, destroy, sign out everywhere.
        var old = browser.Value;
        await browser.RegenerateAsync();
        Assert.True(setup.Manager.Open($"sid={old}", false, null).IsNew);
        Assert.Equal(0, await browser.RequestAsync(s => s.Get<int>("n")));
        await browsers[1].RequestAsync(s => s.Destroy());
        Assert.Equal(11, (await admin.ListAsync("ann")).Count);
        var current = await browser.RequestAsync(s => s.Id);
        Assert.Equal(10, await admin.RevokeAllAsync("ann", current));
        Assert.Single(await admin.ListAsync("ann"));
        Assert.Null(await browsers[5].RequestAsync(s => s.UserId));
    }
}
