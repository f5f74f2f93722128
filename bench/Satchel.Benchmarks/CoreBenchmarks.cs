using BenchmarkDotNet.Attributes;
using Satchel;

namespace Satchel.Benchmarks;

/// <summary>Tokens, the memory store and values, without a web server.</summary>
[MemoryDiagnoser]
public class CoreBenchmarks
{
    private SessionManager _manager = null!;
    private string _cookieHeader = null!;
    private SessionKey _storeKey;
    private MemorySessionStore _store = null!;
    private SessionChange _change = null!;
    private InvalidCookieTracker _flooded = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new SatchelOptions();
        options.Secrets.Add("bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz");
        _store = new MemorySessionStore();
        _manager = new SessionManager(options, _store);
        var session = _manager.Open(null, false, cookieSink: new CookieCapture());
        session["user"] = "user-42";
        session.Set("hits", 0);
        session.CommitAsync().AsTask().GetAwaiter().GetResult();
        _cookieHeader = CookieCapture.Last!.Split(';')[0];
        _storeKey = SessionKeyOf(_cookieHeader);
        // A flood from as many addresses as the tracker holds, all in the current window.
        _flooded = new InvalidCookieTracker(options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        for (var i = 0; i < InvalidCookieTracker.MaxClients; i++) _flooded.Reject($"198.51.{i / 256 % 256}.{i % 256}/{i}", "forged", refusable: false);
        _change = new SessionChange { Now = DateTimeOffset.UtcNow, Values = new Dictionary<string, byte[]?> { ["hits"] = "1"u8.ToArray() } };
    }

    [Benchmark(Description = "reject a cookie, 100,000 addresses in the window")]
    public void RejectUnderFlood() => _flooded.Reject("203.0.113.250", "forged", refusable: false);

    [Benchmark(Description = "issue a signed token")]
    public string IssueToken() => _manager.Runtime.Cookies.KeyRing.Sign(SessionToken.NewToken());

    [Benchmark(Description = "verify a cookie")]
    public bool VerifyCookie() => _manager.Runtime.Cookies.KeyRing.TryVerify(_cookieHeader.AsSpan(4), out _);

    [Benchmark(Description = "memory store: load")]
    public SessionRecord? StoreLoad() => _store.LoadAsync(_storeKey, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1)).Result;

    [Benchmark(Description = "memory store: commit one key")]
    public bool StoreCommit() => _store.UpdateAsync(_storeKey, _change).Result;

    [Benchmark(Description = "request: open, read one value")]
    public string? ReadRequest()
    {
        var session = _manager.Open(_cookieHeader, false, null);
        return session["user"];
    }

    [Benchmark(Description = "request: open, read and write a counter, commit")]
    public int HitRequest()
    {
        var session = _manager.Open(_cookieHeader, false, null);
        var hits = session.Get("hits", BenchJson.Default.Int32) + 1;
        session.Set("hits", hits, BenchJson.Default.Int32);
        session.CommitAsync().AsTask().GetAwaiter().GetResult();
        return hits;
    }

    private static SessionKey SessionKeyOf(string cookieHeader) =>
        SessionKey.FromToken(cookieHeader.AsSpan(4, 43));

    private sealed class CookieCapture : SessionCookieSink
    {
        public static string? Last;

        protected override bool HasStarted => false;

        protected override string[] GetHeader(string name) => [];

        protected override void SetHeader(string name, string[] values)
        {
            if (name == "Set-Cookie") Last = values.LastOrDefault();
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(int))]
internal sealed partial class BenchJson : System.Text.Json.Serialization.JsonSerializerContext;
