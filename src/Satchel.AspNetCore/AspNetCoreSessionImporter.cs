using System.Collections.Concurrent;
using System.Buffers.Binary;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace Satchel.AspNetCore;

/// <summary>
/// Carries a live ASP.NET Core session over to Satchel on the browser's first request after the
/// switch: the old cookie is unprotected as ASP.NET Core's session middleware does (Data
/// Protection, purpose "SessionMiddleware"), its entry read from the same <see cref="IDistributedCache"/>,
/// its values stored at once as a new Satchel session (bytes as <c>ISession</c> stores them, so
/// <c>GetString</c>/<c>GetInt32</c> read the same), which becomes the request's session, and the old
/// cookie expired. Parallel first requests carrying the same old cookie join the one import in this
/// process instead of each making a session of its own. The old entry is left to expire by its own
/// idle timeout.
/// </summary>
internal sealed class AspNetCoreSessionImporter(IDataProtectionProvider dataProtection, IDistributedCache cache, AspNetCoreSessionImportOptions options, ILogger<AspNetCoreSessionImporter> logger)
{
    private const byte SerializationRevision = 2;   // ASP.NET Core's DistributedSession format
    private const int IdByteCount = 16;
    private const int MaxImportsRemembered = 10_000;
    private static readonly TimeSpan ImportRemembered = TimeSpan.FromMinutes(1);   // the parallel requests of a page load, with room
    private readonly IDataProtector _protector = dataProtection.CreateProtector("SessionMiddleware");

    // Old cookie → its import, so the requests a browser sent in parallel with the old cookie all
    // land in one new session.
    private readonly ConcurrentDictionary<string, Import> _imports = new(StringComparer.Ordinal);
    private int _missingEntryWarned;

    public string CookieName => options.CookieName;

    /// <summary>
    /// Imports the session the old cookie names, if the request carries one, and expires that
    /// cookie. Returns the request's session: <paramref name="session"/>, or the imported one, opened
    /// by <paramref name="open"/> from a Cookie header naming it.
    /// </summary>
    public async ValueTask<Session> ImportAsync(HttpContext context, Session session, SessionManager manager, Func<string, Session> open)
    {
        var old = context.Request.Cookies[options.CookieName];
        if (old is null) return session;
        context.Response.Cookies.Delete(options.CookieName, new CookieOptions { Path = options.CookiePath, Domain = options.CookieDomain });
        await session.LoadAsync(context.RequestAborted).ConfigureAwait(false);
        if (!session.IsNew) return session;   // already carried over; the browser still sent the old cookie

        var now = Environment.TickCount64;
        if (!_imports.TryGetValue(old, out var import) || now - import.Started > ImportRemembered.TotalMilliseconds)
        {
            Prune(now);
            var started = new Import(new TaskCompletionSource<ImportedCookie?>(TaskCreationOptions.RunContinuationsAsynchronously), now);
            import = _imports.Count < MaxImportsRemembered ? _imports.AddOrUpdate(old, started, (_, current) => now - current.Started > ImportRemembered.TotalMilliseconds ? started : current) : started;
            if (ReferenceEquals(import, started))
            {
                try
                {
                    started.Cookie.SetResult(await ImportAsync(old, context, manager).ConfigureAwait(false));
                }
                catch (Exception ex)
                {
                    started.Cookie.SetException(ex);
                    _imports.TryRemove(new KeyValuePair<string, Import>(old, started));
                    throw;
                }
            }
        }
        if (await import.Cookie.Task.WaitAsync(context.RequestAborted).ConfigureAwait(false) is not { } imported) return session;
        foreach (var (name, values) in imported.Headers) context.Response.Headers.Append(name, values);
        return open($"{manager.CookieName}={imported.Value}");
    }

    // Stores the old session's values as a new Satchel session, and gives back the cookie that names it.
    private async ValueTask<ImportedCookie?> ImportAsync(string old, HttpContext context, SessionManager manager)
    {
        if (Unprotect(old) is not { } cacheKey) return null;
        byte[]? entry;
        try
        {
            entry = await cache.GetAsync(cacheKey, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            // A cache client reporting its own timeout as a cancelled task failed too: the request goes on without the import.
            Log.CacheFailed(logger, ex);
            return null;
        }
        if (entry is null)
        {
            // Expired in the old store, or never in a shared one: AddDistributedMemoryCache (the
            // default) kept sessions in the old process, and they died with it. Said once.
            if (Interlocked.Exchange(ref _missingEntryWarned, 1) == 0) Log.EntryMissing(logger);
            return null;
        }
        if (!TryRead(entry, out var values))
        {
            Log.Unreadable(logger);
            return null;
        }
        var sink = new HeaderSink();
        var imported = manager.Open(null, context.Request.IsHttps, context.Connection.RemoteIpAddress?.ToString(), sink);
        foreach (var (key, value) in values) imported.SetJson(key, SatchelAspNetSession.ToJson(value));
        var id = imported.Id;
        await imported.CommitAsync(context.RequestAborted).ConfigureAwait(false);
        if (sink.SessionCookieValue(manager.CookieName) is not { } cookie) return null;   // nothing stored (no values)
        Log.Imported(logger, values.Count, id);
        return new ImportedCookie(cookie, sink.Headers);
    }

    private void Prune(long now)
    {
        if (_imports.Count < MaxImportsRemembered / 2) return;
        foreach (var (cookie, import) in _imports)
        {
            if (now - import.Started > ImportRemembered.TotalMilliseconds) _imports.TryRemove(new KeyValuePair<string, Import>(cookie, import));
        }
    }

    private string? Unprotect(string cookie)
    {
        try
        {
            var padded = cookie.PadRight(cookie.Length + (4 - cookie.Length % 4) % 4, '=');
            return Encoding.UTF8.GetString(_protector.Unprotect(Convert.FromBase64String(padded)));
        }
        catch (Exception ex) when (ex is FormatException or System.Security.Cryptography.CryptographicException)
        {
            // Forged, or protected with keys this app does not have: no session to import.
            Log.UnprotectFailed(logger, ex);
            return null;
        }
    }

    // Revision byte, 3-byte entry count, 16-byte session id, then per entry a 2-byte key length,
    // the UTF-8 key, a 4-byte value length and the value; all big-endian.
    internal static bool TryRead(ReadOnlySpan<byte> entry, out List<KeyValuePair<string, byte[]>> values)
    {
        values = [];
        if (entry.Length < 4 + IdByteCount || entry[0] != SerializationRevision) return false;
        var count = entry[1] << 16 | entry[2] << 8 | entry[3];
        var position = 4 + IdByteCount;
        for (var i = 0; i < count; i++)
        {
            if (entry.Length - position < 2) return false;
            int keyLength = BinaryPrimitives.ReadUInt16BigEndian(entry[position..]);
            position += 2;
            if (entry.Length - position < keyLength + 4) return false;
            var key = Encoding.UTF8.GetString(entry.Slice(position, keyLength));
            position += keyLength;
            var valueLength = BinaryPrimitives.ReadInt32BigEndian(entry[position..]);
            position += 4;
            if (valueLength < 0 || entry.Length - position < valueLength) return false;
            values.Add(new(key, entry.Slice(position, valueLength).ToArray()));
            position += valueLength;
        }
        return true;
    }

    private sealed record Import(TaskCompletionSource<ImportedCookie?> Cookie, long Started);

    // The signed value of the imported session's cookie, and the response headers that issue it.
    private sealed record ImportedCookie(string Value, IReadOnlyList<KeyValuePair<string, string[]>> Headers);

    // The headers the import's own session sent, to be copied onto each response that joins it.
    private sealed class HeaderSink : SessionCookieSink
    {
        private readonly Dictionary<string, string[]> _headers = new(StringComparer.OrdinalIgnoreCase);

        public IReadOnlyList<KeyValuePair<string, string[]>> Headers => [.. _headers];

        public string? SessionCookieValue(string cookieName)
        {
            var prefix = cookieName + "=";
            var setCookie = _headers.GetValueOrDefault("Set-Cookie", []).FirstOrDefault(c => c.StartsWith(prefix, StringComparison.Ordinal));
            return setCookie?[prefix.Length..setCookie.IndexOf(';', StringComparison.Ordinal)];
        }

        protected override bool HasStarted => false;

        protected override string[] GetHeader(string name) => _headers.GetValueOrDefault(name, []);

        protected override void SetHeader(string name, string[] values) => _headers[name] = values;
    }
}
