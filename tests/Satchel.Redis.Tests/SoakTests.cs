using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Satchel.AspNetCore.Tests.Support;
using Satchel.Redis.Tests.Support;

namespace Satchel.Redis.Tests;

/// <summary>
/// 64 browsers, each with its own session, doing random reads, writes to their own keys,
/// regenerations and destroys for a bounded time; each checks that every write it saw
/// acknowledged is still there. Short in CI; `bench/soak.sh SECONDS` runs it longer.
/// </summary>
public class SoakTests
{
    private const int Clients = 64;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(
        double.Parse(Environment.GetEnvironmentVariable("SATCHEL_SOAK_SECONDS") ?? "4", CultureInfo.InvariantCulture));

    [Fact]
    public async Task Soak_on_the_memory_store_loses_no_acknowledged_write_and_never_answers_5xx()
    {
        await using var app = await StartAsync(b => b.UseMemory());
        var result = await SoakAsync(app.BaseAddress, Duration, duringRun: null);
        Assert.True(result.Requests > Clients * 10, $"only {result.Requests} requests");
        Assert.Empty(result.Lost);
        Assert.Equal(0, result.ServerErrors);
    }

    [Fact]
    public async Task Soak_on_Redis_killed_and_restarted_midway_loses_no_acknowledged_write()
    {
        using var server = new RedisServer();
        await using var app = await StartAsync(b => b.UseRedis($"{server.Endpoint},connectTimeout=1000,asyncTimeout=1000,syncTimeout=1000"));
        await RedisReady.WaitAsync(app.Services.GetRequiredService<ISessionStore>());
        var outage = (Start: long.MaxValue, End: long.MaxValue);   // Stopwatch timestamps: a clock step must not move the window
        var result = await SoakAsync(app.BaseAddress, Duration + TimeSpan.FromSeconds(3), async () =>
        {
            await Task.Delay(Duration / 2);
            outage.Start = Stopwatch.GetTimestamp();
            server.Kill();
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            server.Start();
            outage.End = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;   // the connection comes back within a few heartbeats
        }, isOutage: () => Stopwatch.GetTimestamp() is var now && now >= outage.Start && now <= outage.End);
        Assert.Empty(result.Lost);
        Assert.Equal(0, result.ServerErrorsOutsideFault);
        Assert.True(result.ServerErrors > 0, "the outage should have been seen as 503s");
    }

    private sealed record SoakResult(long Requests, long ServerErrors, long ServerErrorsOutsideFault, List<string> Lost);

    private static async Task<SoakResult> SoakAsync(Uri address, TimeSpan duration, Func<Task>? duringRun, Func<bool>? isOutage = null)
    {
        long requests = 0, serverErrors = 0, outsideFault = 0;
        var lost = new ConcurrentBag<string>();
        var running = Stopwatch.StartNew();
        var fault = duringRun?.Invoke() ?? Task.CompletedTask;

        await Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
            var random = new Random(client);
            // What the session must hold: key -> the acknowledged value, plus values whose
            // request failed and so may or may not have been applied.
            var acknowledged = new Dictionary<string, string?>();
            var maybe = new Dictionary<string, HashSet<string?>>();
            var version = 0;

            async Task<HttpResponseMessage> Send(string path)
            {
                var response = await http.GetAsync(path);
                Interlocked.Increment(ref requests);
                if ((int)response.StatusCode >= 500)
                {
                    Interlocked.Increment(ref serverErrors);
                    if (isOutage?.Invoke() != true) Interlocked.Increment(ref outsideFault);
                }
                return response;
            }

            void Uncertain(string key, string? value)
            {
                if (!maybe.TryGetValue(key, out var set)) maybe[key] = set = [];
                set.Add(value);
            }

            async Task<bool> CheckAsync(string key)
            {
                var response = await Send($"/get?k={key}");
                if (response.StatusCode != HttpStatusCode.OK) return false;
                var body = await response.Content.ReadAsStringAsync();
                var actual = body == "\u2205" ? null : body;
                acknowledged.TryGetValue(key, out var expected);
                if (actual == expected || (maybe.TryGetValue(key, out var set) && set.Contains(actual)))
                {
                    acknowledged[key] = actual;
                    maybe.Remove(key);
                    return true;
                }
                lost.Add($"client {client} key {key}: expected {expected ?? "nothing"}, found {actual ?? "nothing"}");
                return true;
            }

            while (running.Elapsed < duration)
            {
                var key = "k" + random.Next(5);
                var roll = random.Next(100);
                if (roll < 45)
                {
                    var value = $"{client}-{++version}";
                    var response = await Send($"/set?k={key}&v={value}");
                    if (response.StatusCode == HttpStatusCode.OK) { acknowledged[key] = value; maybe.Remove(key); }
                    else Uncertain(key, value);
                }
                else if (roll < 90)
                {
                    await CheckAsync(key);
                }
                else if (roll < 98)
                {
                    await Send("/regenerate");   // keeps the data whether or not it went through
                }
                else
                {
                    var response = await Send("/destroy");
                    foreach (var k in acknowledged.Keys.ToList())
                    {
                        if (response.StatusCode == HttpStatusCode.OK) acknowledged[k] = null;
                        else Uncertain(k, null);
                    }
                }
            }
            await fault;
            // Every key is checked once the store answers again, so nothing escapes the final count.
            var settling = Stopwatch.StartNew();
            foreach (var k in acknowledged.Keys.ToList())
            {
                while (!await CheckAsync(k))
                {
                    if (settling.Elapsed > TimeSpan.FromSeconds(30)) { lost.Add($"client {client} key {k}: never readable again"); break; }
                    await Task.Delay(100);
                }
            }
        })));
        await fault;
        return new SoakResult(requests, serverErrors, outsideFault, [.. lost]);
    }

    private static Task<SatchelApp> StartAsync(Action<SatchelBuilder> store) =>
        SatchelApp.StartAsync(app =>
        {
            app.MapGet("/set", (string k, string v, Session s) => s[k] = v);
            app.MapGet("/get", (string k, Session s) => s[k] ?? "\u2205");
            app.MapGet("/regenerate", async (Session s) => await s.RegenerateAsync());
            app.MapGet("/destroy", (Session s) => s.Destroy());
        }, store: store, setup: b => b.Logging.SetMinimumLevel(LogLevel.Warning));   // long runs: keep the captured log small
}
