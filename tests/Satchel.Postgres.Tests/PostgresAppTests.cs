using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Satchel.AspNetCore.Tests.Support;
using Satchel.Tests;
using Satchel.Postgres.Tests.Support;

namespace Satchel.Postgres.Tests;

/// <summary>Whole apps on one PostgreSQL database: shared sessions, parallel writes, a killed app, a restarted server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresAppTests(PostgresServer server)
{
    private readonly string _table = "a" + Guid.NewGuid().ToString("N")[..12];

    private static void Endpoints(WebApplication app)
    {
        app.MapGet("/set/{key}", (string key, Session s) => s[key] = "1");
        app.MapGet("/keys", (Session s) => string.Join(",", s.Keys.Order(StringComparer.Ordinal)));
        app.MapGet("/cart", (Session s) => s["cart"] ?? "empty");
        app.MapGet("/cart/{value}", (string value, Session s) => s["cart"] = value);
        app.MapGet("/logout", (Session s) => s.Destroy());
        app.MapGet("/put/{key}/{value:int}", (string key, int value, Session s) => s[key] = value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        app.MapGet("/get/{key}", (string key, Session s) => s[key] ?? "0");
    }

    private Task<SatchelApp> StartAppAsync(StoreFailurePolicy policy = StoreFailurePolicy.Fail) =>
        SatchelApp.StartAsync(Endpoints, o => o.StoreFailurePolicy = policy, store: b => b.UsePostgres(server.ConnectionString, o => o.TableName = _table));

    [Fact]
    public async Task Two_apps_on_one_database_share_sessions_and_keep_all_of_40_parallel_writes()
    {
        await using var one = await StartAppAsync();
        await using var two = await StartAppAsync();
        var cookie = await NewSessionAsync(one, "/cart/book");
        using var viaTwo = RawClient(two, cookie);
        Assert.Equal("book", await viaTwo.GetStringAsync("/cart"));

        using var viaOne = RawClient(one, cookie);
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? viaOne : viaTwo).GetStringAsync($"/set/k{i:00}")));

        var keys = (await viaTwo.GetStringAsync("/keys")).Split(',');
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"k{i:00}").Append("cart").Order(StringComparer.Ordinal), keys);

        await viaTwo.GetStringAsync("/logout");
        Assert.Equal("empty", await viaOne.GetStringAsync("/cart"));
    }

    [Fact]
    public async Task From_configuration_UsePostgres_finds_its_connection_string_or_says_what_to_set()
    {
        await using (var configured = await SatchelApp.StartAsync(Endpoints, store: b => b.UsePostgres(o => o.TableName = _table),
            setup: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = server.ConnectionString })))
        {
            using var browser = configured.NewBrowser();
            await browser.GetStringAsync("/cart/pen");
            Assert.Equal("pen", await browser.GetStringAsync("/cart"));
        }
        var error = await Assert.ThrowsAnyAsync<Exception>(() => SatchelApp.StartAsync(Endpoints, store: b => b.UsePostgres()));
        var message = error is InvalidOperationException ? error.Message : error.InnerException?.Message ?? error.Message;
        Assert.Contains("ConnectionStrings:Postgres", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_restart_under_load_answers_503_while_it_is_down_and_recovers_by_itself_keeping_every_acknowledged_write()
    {
        await using var app = await StartAppAsync();
        var cookie = await NewSessionAsync(app, "/cart/book");
        using var client = RawClient(app, cookie);
        var results = new ConcurrentQueue<(int Writer, int N, HttpStatusCode Status)>();
        using var stop = new CancellationTokenSource();

        // Eight writers, each putting its own ten keys in turn, as fast as the app answers.
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var n = 1; !stop.IsCancellationRequested; n++)
            {
                var response = await client.GetAsync($"/put/w{w}k{n % 10}/{n}");
                results.Enqueue((w, n, response.StatusCode));
            }
        })).ToArray();
        int Count(Func<(int Writer, int N, HttpStatusCode Status), bool> which) => results.Count(which);

        await WaitForAsync(() => Count(r => r.Status == HttpStatusCode.OK) >= 100, "writes before the restart");
        server.Kill();
        var atKill = results.Count;
        try
        {
            await WaitForAsync(() => results.Skip(atKill).Count(r => r.Status == HttpStatusCode.ServiceUnavailable) >= 16, "503s while the server is down");
        }
        finally
        {
            server.Start();
        }
        // Recovered: every writer sees ten writes in a row acknowledged after the restart.
        var atStart = results.Count;
        await WaitForAsync(() => Enumerable.Range(0, 8).All(w => results.Skip(atStart).Where(r => r.Writer == w).TakeLast(10).Count(r => r.Status == HttpStatusCode.OK) == 10),
            "ten acknowledged writes in a row from each writer after the restart");
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        Assert.All(results, r => Assert.True(r.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"writer {r.Writer} got {r.Status}"));
        Assert.Contains(app.Logs.Lines, l => l.Exception is Npgsql.NpgsqlException);   // the store's own error, logged
        // Every acknowledged write is there (a later write refused with 503 may have landed too: the server can commit what it could not confirm).
        foreach (var group in results.Where(r => r.Status == HttpStatusCode.OK).GroupBy(r => (r.Writer, Key: r.N % 10)))
        {
            var stored = int.Parse(await client.GetStringAsync($"/get/w{group.Key.Writer}k{group.Key.Key}"));
            Assert.True(stored >= group.Max(r => r.N), $"w{group.Key.Writer}k{group.Key.Key}: {stored} < {group.Max(r => r.N)}");
        }
        Assert.Equal("book", await client.GetStringAsync("/cart"));
    }

    // Waits for evidence, not for time: the condition, checked until it holds (a minute at most, then a clear failure).
    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > TimeSpan.FromMinutes(1)) throw new TimeoutException($"waited a minute for {what}");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task Every_write_acknowledged_before_an_app_is_killed_with_SIGKILL_is_in_the_database()
    {
        var acknowledged = await CrashWrites.RunAndKillAsync("Satchel.Postgres.CrashChild.dll", [server.ConnectionString, _table], acknowledgements: 1_000);
        await using var store = PostgresSessionStore.Connect(server.ConnectionString, new PostgresSessionStoreOptions { TableName = _table });
        await CrashWrites.AssertAllPresentAsync(store, acknowledged);
    }

    // The session cookie a first request got, as "sid=…".
    private static async Task<string> NewSessionAsync(SatchelApp app, string path)
    {
        using var client = RawClient(app, cookie: null);
        var response = await client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        var setCookie = response.Headers.GetValues("Set-Cookie").First(v => v.StartsWith("sid=", StringComparison.Ordinal));
        return setCookie[..setCookie.IndexOf(';')];
    }

    private static HttpClient RawClient(SatchelApp app, string? cookie)
    {
        var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = app.BaseAddress };
        if (cookie is not null) client.DefaultRequestHeaders.Add("Cookie", cookie);
        return client;
    }
}
