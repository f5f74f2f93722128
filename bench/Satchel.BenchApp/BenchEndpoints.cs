using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

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
                app.MapGet("/login", SatchelLogin);
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
            case "storeonly" or "storeonly-load" or "storeonly-cookie":
                // Satchel's layers under its session API, called by the endpoint itself: the cookie's
                // check (the verified-cookie cache), then the memory store's load, then its update. No
                // middleware, no Session, no keep-alive: Satchel's /hit minus this is what the API and
                // its request path add. The -cookie and -load variants stop after that step.
                app.MapGet("/login", SatchelLogin);   // through UseSatchel (Program.cs), for the cookies
                var manager = app.ServiceProvider.GetRequiredService<SessionManager>();
                var steps = variant switch { "storeonly-cookie" => 1, "storeonly-load" => 2, _ => 3 };
                app.MapGet("/hit", (Func<HttpContext, Task<string>>)(c => StoreOnlyHit(c, manager, steps)));
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

    private static string SatchelLogin(Session s)
    {
        s["user"] = "user-42";
        s.Set("hits", 0);
        return "ok";
    }

    // /hit of the storeonly variants: the steps a Satchel /hit takes below its API, up to the given one.
    private static async Task<string> StoreOnlyHit(HttpContext c, SessionManager manager, int steps)
    {
        var cookie = RequestCookie.Read(manager.Runtime.Cookies, c.Request.Headers.Cookie.ToString(), c.Connection.RemoteIpAddress?.ToString());
        if (!cookie.IsValid) return "0";
        if (steps == 1) return "1";
        var now = manager.Runtime.Time.GetUtcNow();
        var record = await manager.Store.LoadAsync(cookie.Key, now, manager.Options.TouchInterval);
        if (record is null) return "0";
        var hits = (record.TryGetValue("hits", out var json) ? int.Parse(json, CultureInfo.InvariantCulture) : 0) + 1;
        var text = hits.ToString(CultureInfo.InvariantCulture);
        if (steps == 2) return text;
        await manager.Store.UpdateAsync(cookie.Key, new SessionChange { Now = now, Values = ValueChanges.One("hits", Encoding.UTF8.GetBytes(text)), Base = record });
        return text;
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
