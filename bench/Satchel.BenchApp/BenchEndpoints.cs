using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Satchel.Bench;

/// <summary>
/// The benchmark endpoints of each variant, shared by bench/Satchel.BenchApp (over HTTP) and
/// bench/Satchel.Benchmarks (in process), so both measure the same code.
/// </summary>
internal static class BenchEndpoints
{
    /// <summary>/count requests this process answered: bench/scale.sh compares their sum with the counters the sessions hold.</summary>
    private static long s_counted;

    /// <summary>The dictionary variant's sessions: cookie value → hit count.</summary>
    private static readonly ConcurrentDictionary<string, StrongBox<long>> s_dictionary = new(StringComparer.Ordinal);

    public static void Map(IEndpointRouteBuilder app, string variant)
    {
        app.MapGet("/bare", () => "ok");
        app.MapGet("/stats", () => Interlocked.Read(ref s_counted).ToString(CultureInfo.InvariantCulture));
        // bench/rss.sh: where the process's memory is, after a full GC (managed live bytes, the heap the GC keeps).
        app.MapGet("/memory", () =>
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
            return FormattableString.Invariant($"live {GC.GetTotalMemory(false)} heap {info.HeapSizeBytes} committed {info.TotalCommittedBytes} fragmented {info.FragmentedBytes}");
        });
        switch (variant)
        {
            case "satchel":
                app.MapGet("/login", (Session s) => { s["user"] = "user-42"; s.Set("hits", 0); return "ok"; });
                app.MapGet("/read", (Session s) => s["user"] ?? "none");
                // /read as code written for ASP.NET Core's session does it: HttpContext.Session, no LoadAsync.
                app.MapGet("/sync", (HttpContext c) => c.Session.GetString("user") ?? "none");
                app.MapGet("/hit", (Session s) =>
                {
                    var hits = s.Get<int>("hits") + 1;
                    s.Set("hits", hits);
                    return hits.ToString(CultureInfo.InvariantCulture);
                });
                // The same count as /hit, in one step inside the store (no load, no lost update).
                app.MapGet("/count", async (Session s) =>
                {
                    var hits = await s.IncrementAsync("hits");
                    Interlocked.Increment(ref s_counted);
                    return hits.ToString(CultureInfo.InvariantCulture);
                }).WithLazySession();
                app.MapGet("/total", (Session s) => s.Get<long>("hits").ToString(CultureInfo.InvariantCulture));
                break;
            case "aspnet":
                app.MapGet("/login", async (HttpContext c) =>
                {
                    await c.Session.LoadAsync();
                    c.Session.SetString("user", "user-42");
                    c.Session.SetInt32("hits", 0);
                    return "ok";
                });
                app.MapGet("/read", async (HttpContext c) =>
                {
                    await c.Session.LoadAsync();
                    return c.Session.GetString("user") ?? "none";
                });
                app.MapGet("/sync", (HttpContext c) => c.Session.GetString("user") ?? "none");
                app.MapGet("/hit", (Delegate)Hit);
                // ASP.NET Core's session has no one-step count: /count is /hit.
                app.MapGet("/count", async (HttpContext c) =>
                {
                    var hits = await Hit(c);
                    Interlocked.Increment(ref s_counted);
                    return hits;
                });
                app.MapGet("/total", async (HttpContext c) =>
                {
                    await c.Session.LoadAsync();
                    return (c.Session.GetInt32("hits") ?? 0).ToString(CultureInfo.InvariantCulture);
                });
                break;
            case "dictionary":
                // The floor any session adds: a cookie of Satchel's name and length, looked up in a
                // dictionary (no signature, no hashing, no expiry, no store contract, no lost-update care).
                app.MapGet("/login", (HttpContext c) =>
                {
                    var value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(66)).Replace('+', '-').Replace('/', '_')[..87];
                    s_dictionary[value] = new StrongBox<long>();
                    c.Response.Headers.SetCookie = "sid=" + value + "; path=/; samesite=lax; httponly";
                    return "ok";
                });
                app.MapGet("/read", (HttpContext c) => DictionaryEntry(c) is null ? "none" : "user-42");
                app.MapGet("/sync", (HttpContext c) => DictionaryEntry(c) is null ? "none" : "user-42");
                app.MapGet("/hit", DictionaryHit);
                app.MapGet("/count", DictionaryHit);   // already one step: /count is /hit
                break;
            default:
                app.MapGet("/login", () => "ok");
                app.MapGet("/read", () => "user-42");
                app.MapGet("/sync", () => "user-42");
                app.MapGet("/hit", () => "1");
                app.MapGet("/count", () => "1");
                break;
        }
    }

    private static string DictionaryHit(HttpContext c) =>
        DictionaryEntry(c) is { } hits ? Interlocked.Increment(ref hits.Value).ToString(CultureInfo.InvariantCulture) : "0";

    // The bench sends one cookie per request: its value is what follows the first '='.
    private static StrongBox<long>? DictionaryEntry(HttpContext c)
    {
        var header = c.Request.Headers.Cookie.ToString().AsSpan();
        var value = header[(header.IndexOf('=') + 1)..];
        return s_dictionary.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(value, out var hits) ? hits : null;
    }

    private static async Task<string> Hit(HttpContext c)
    {
        await c.Session.LoadAsync();
        var hits = (c.Session.GetInt32("hits") ?? 0) + 1;
        c.Session.SetInt32("hits", hits);
        return hits.ToString(CultureInfo.InvariantCulture);
    }
}
