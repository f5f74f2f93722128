namespace Satchel.Tests.Support;

/// <summary>
/// The cookie store's "sign out everywhere" on the real clock, where a cookie's sealed time and a
/// revocation fall in the same millisecond: run by the memory and the Redis revocation stores.
/// </summary>
public static class RevocationRace
{
    /// <summary>
    /// Each round: a phone signs in, and at once (the same millisecond, mostly) the user is revoked;
    /// the laptop revokes and regenerates in one request ("sign out everywhere else"). Returns the
    /// rounds in which the phone's cookie survived and those in which the laptop was signed out.
    /// </summary>
    public static async Task<(int PhoneKept, int LaptopLost)> RunAsync(SessionManager manager, int rounds)
    {
        var admin = new SessionAdmin(manager);
        int phoneKept = 0, laptopLost = 0;
        for (var i = 0; i < rounds; i++)
        {
            var user = $"user{i}:{Guid.NewGuid():N}";
            var phone = new MultiCookieBrowser(manager);
            await phone.RequestAsync(s => { s.UserId = user; return Task.CompletedTask; });
            await admin.RevokeAllAsync(user);
            if (await phone.RequestAsync(s => Task.FromResult(s.UserId)) is not null) phoneKept++;

            var laptop = new MultiCookieBrowser(manager);
            await laptop.RequestAsync(s => { s.UserId = user; return Task.CompletedTask; });
            await laptop.RequestAsync(async s =>
            {
                _ = s.UserId;   // loaded first: the request's own session
                await admin.RevokeAllAsync(user);
                await s.RegenerateAsync();
            });
            if (await laptop.RequestAsync(s => Task.FromResult(s.UserId)) != user) laptopLost++;
        }
        return (phoneKept, laptopLost);
    }

    /// <summary>A browser that keeps every cookie the responses set (the cookie store sets two).</summary>
    private sealed class MultiCookieBrowser(SessionManager manager)
    {
        private readonly Dictionary<string, string> _cookies = [];

        public Task<int> RequestAsync(Func<Session, Task> handler) => RequestAsync(async s => { await handler(s); return 0; });

        public async Task<T> RequestAsync<T>(Func<Session, Task<T>> handler)
        {
            var sink = new RecordingCookieSink();
            var header = _cookies.Count == 0 ? null : string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}"));
            var session = manager.Open(header, isHttps: false, cookieSink: sink);
            var result = await handler(session);
            await session.CommitAsync();
            foreach (var setCookie in sink.Headers.GetValueOrDefault("Set-Cookie", []))
            {
                var name = setCookie[..setCookie.IndexOf('=')];
                var (value, maxAge) = CookieJar.Parse(setCookie);
                if (maxAge == 0) _cookies.Remove(name);
                else _cookies[name] = value;
            }
            return result;
        }
    }
}
