namespace Satchel.Tests.Support;

/// <summary>One browser: keeps the session cookie between requests like a real one does.</summary>
public sealed class CookieJar(SessionManager manager)
{
    public string Name { get; } = manager.Options.Cookie.EffectiveName;

    /// <summary>The cookie value the browser holds, or null.</summary>
    public string? Value { get; set; }

    public RecordingCookieSink LastSink { get; private set; } = new();

    public Session Open()
    {
        LastSink = new RecordingCookieSink();
        return manager.Open(Value is null ? null : $"{Name}={Value}", isHttps: false, clientAddress: null, LastSink);
    }

    /// <summary>One whole request: open, run the handler, commit, keep the cookie.</summary>
    public async Task<T> RequestAsync<T>(Func<Session, T> handler)
    {
        var session = Open();
        var result = handler(session);
        await session.CommitAsync();
        Absorb(LastSink);
        return result;
    }

    public Task RequestAsync(Action<Session> handler) => RequestAsync(s => { handler(s); return 0; });

    /// <summary>One whole request whose handler awaits (the session's async calls).</summary>
    public async Task<T> RequestAsync<T>(Func<Session, Task<T>> handler)
    {
        var session = Open();
        var result = await handler(session);
        await session.CommitAsync();
        Absorb(LastSink);
        return result;
    }

    public Task RequestAsync(Func<Session, Task> handler) => RequestAsync(async s => { await handler(s); return 0; });

    /// <summary>A sign-in request: regenerates the session and keeps the new cookie.</summary>
    public async Task RegenerateAsync()
    {
        var session = Open();
        await session.RegenerateAsync();
        await session.CommitAsync();
        Absorb(LastSink);
    }

    public void Absorb(RecordingCookieSink sink)
    {
        if (sink.Current is not { } header) return;
        var (value, maxAge) = Parse(header);
        Value = maxAge == 0 ? null : value;
    }

    public static (string Value, long? MaxAge) Parse(string setCookie)
    {
        var parts = setCookie.Split("; ");
        var value = parts[0][(parts[0].IndexOf('=') + 1)..];
        var maxAge = parts.FirstOrDefault(p => p.StartsWith("Max-Age=", StringComparison.Ordinal)) is { } m ? long.Parse(m["Max-Age=".Length..]) : (long?)null;
        return (value, maxAge);
    }
}
