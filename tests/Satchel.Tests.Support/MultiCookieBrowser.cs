namespace Satchel.Tests.Support;

/// <summary>A browser that keeps every cookie the responses set (the cookie store sets two).</summary>
public sealed class MultiCookieBrowser(SessionManager manager)
{
    public SessionManager Manager { get; set; } = manager;

    public Dictionary<string, string> Cookies { get; init; } = [];

    public IReadOnlyList<string> LastSetCookies { get; private set; } = [];

    public MultiCookieBrowser With(SessionManager other) => new(other) { Cookies = Cookies };

    public async Task<T> RequestAsync<T>(Func<Session, T> handler) => await RequestAsync(s => Task.FromResult(handler(s)));

    public Task<int> RequestAsync(Action<Session> handler) => RequestAsync(s => { handler(s); return Task.FromResult(0); });

    public Task<int> RequestAsync(Func<Session, Task> handler) => RequestAsync(async s => { await handler(s); return 0; });

    public async Task<T> RequestAsync<T>(Func<Session, Task<T>> handler)
    {
        var sink = new RecordingCookieSink();
        var header = Cookies.Count == 0 ? null : string.Join("; ", Cookies.Select(c => $"{c.Key}={c.Value}"));
        var session = Manager.Open(header, isHttps: false, cookieSink: sink);
        var result = await handler(session);
        await session.CommitAsync();
        LastSetCookies = sink.Headers.GetValueOrDefault("Set-Cookie", []);
        foreach (var setCookie in LastSetCookies)
        {
            var name = setCookie[..setCookie.IndexOf('=')];
            var (value, maxAge) = CookieJar.Parse(setCookie);
            if (maxAge == 0) Cookies.Remove(name);
            else Cookies[name] = value;
        }
        return result;
    }
}
