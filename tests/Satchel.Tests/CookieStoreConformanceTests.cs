using Satchel.Testing;
using Satchel.Tests.Support;

namespace Satchel.Tests;

/// <summary>
/// The cookie store against the whole store contract. Each call is one request of one browser: the
/// store's per-request view gets the data cookie the browser holds for that session, and the
/// browser keeps whatever Set-Cookie the response carried — so every call seals and opens for real.
/// </summary>
public sealed class CookieStoreConformanceTests : SessionStoreConformanceTests
{
    // Two values of this size, keys and metadata fill one 4,096-byte cookie.
    protected override int LargestValueBytes => 1200;

    protected override ValueTask<ISessionStore> CreateStoreAsync()
    {
        var options = new SatchelOptions();
        options.Secrets.Add(TestSetup.Secret);
        return new(new CookieBrowser(new CookieSessionStore(options)));
    }
}

/// <summary>A browser in front of the cookie store: one data cookie per session, sent with each call.</summary>
public sealed class CookieBrowser(CookieSessionStore store) : ISessionStore
{
    private readonly Dictionary<SessionKey, string> _cookies = [];

    public SessionStoreGuarantees Guarantees => store.Guarantees;

    public T? GetCapability<T>() where T : class => store.GetCapability<T>();

    public ValueTask<SessionRecord?> LoadAsync(SessionKey key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default) =>
        RequestAsync(key, jar => jar.LoadAsync(key, now, touchInterval, cancellationToken));

    public async ValueTask CreateAsync(SessionKey key, SessionRecord record, CancellationToken cancellationToken = default) =>
        await RequestAsync(key, async jar => { await jar.CreateAsync(key, record, cancellationToken); return 0; });

    public ValueTask<bool> UpdateAsync(SessionKey key, SessionChange change, CancellationToken cancellationToken = default) =>
        RequestAsync(key, jar => jar.UpdateAsync(key, change, cancellationToken));

    public async ValueTask DeleteAsync(SessionKey key, CancellationToken cancellationToken = default) =>
        await RequestAsync(key, async jar => { await jar.DeleteAsync(key, cancellationToken); return 0; });

    private async ValueTask<T> RequestAsync<T>(SessionKey key, Func<ISessionStore, ValueTask<T>> call)
    {
        string? header;
        lock (_cookies) header = _cookies.TryGetValue(key, out var value) ? $"{store.DataCookieName}={value}" : null;
        var sink = new RecordingCookieSink();
        var result = await call(store.ForRequest(header, secure: false, sink));
        foreach (var setCookie in sink.Headers.GetValueOrDefault("Set-Cookie", []))
        {
            if (!setCookie.StartsWith(store.DataCookieName + "=", StringComparison.Ordinal)) continue;
            var (value, maxAge) = CookieJar.Parse(setCookie);
            lock (_cookies)
            {
                if (maxAge == 0) _cookies.Remove(key);
                else _cookies[key] = value;
            }
        }
        return result;
    }
}
