using System.Buffers;

namespace Satchel;

/// <summary>
/// The cookie store as one request sees it: the sealed session the request's Cookie header
/// carried (opened on first use, for the key the session asks about) and the one the response
/// will carry. Every change seals the record again and replaces the response's data cookie.
/// </summary>
internal sealed class CookieSessionJar(CookieSessionStore store, string? cookieHeader, IResponseCookies? response, bool secure) : IRequestBoundView
{
    private bool _opened;           // the request's data cookie has been read
    private SessionKey _key;        // the session the jar holds (request's or written in this request)
    private SessionRecord? _record; // null: none, or deleted in this request
    private bool _sealedWithRetiredKey;
    private bool _previewed;        // HttpListener: the response already carries what the commit will write

    public SessionStoreGuarantees Guarantees => store.Guarantees;

    public T? GetCapability<T>() where T : class => store.GetCapability<T>();

    public async ValueTask<SessionRecord?> LoadAsync(SessionKey key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default)
    {
        if (Current(key, now) is not { } record) return null;
        if (record.Metadata.UserId is { } user && store.Revocations is { } revocations
            && await revocations.IsRevokedAsync(user, record.LastAccess, now, cancellationToken).ConfigureAwait(false))
        {
            Put(key, null);
            return null;
        }
        if (now - record.LastAccess >= touchInterval)
        {
            record = new SessionRecord(record.Metadata, now, record.PackedValues, touched: true);
            Put(key, record);
        }
        else if (_sealedWithRetiredKey)
        {
            Put(key, record);   // sealed again with the current secret, same times
        }
        return record;
    }

    public ValueTask CreateAsync(SessionKey key, SessionRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        _opened = true;   // a new session replaces whatever the request carried
        Put(key, record);
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> UpdateAsync(SessionKey key, SessionChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (Current(key, change.Now) is not { } record) return new(false);
        Put(key, record.Apply(change));
        return new(true);
    }

    public ValueTask DeleteAsync(SessionKey key, CancellationToken cancellationToken = default)
    {
        if (Current(key, DateTimeOffset.MinValue) is not null) Put(key, null);
        return ValueTask.CompletedTask;
    }

    public void CheckFits(string what, SessionMetadata metadata, int packedBytes, DateTimeOffset now)
    {
        // The Set-Cookie's length without building it: the attributes do not depend on the value.
        var length = SetCookie("", metadata, now).Length + CookieSealer.SealedLength(SessionRecordFormat.Length(metadata, packedBytes));
        if (length > SessionCookie.BrowserLimit)
            throw new SessionLimitExceededException(
                $"{what} would make the session's cookie {length} bytes, and browsers keep at most {SessionCookie.BrowserLimit} (the cookie store keeps the whole session in the cookie {store.DataCookieName}). " +
                "Keep less in the session (an id, not the data), or use a server-side store: memory, Redis or SQLite.");
    }

    /// <summary>
    /// Puts <paramref name="record"/> (none: an expired cookie) into the response now, without
    /// changing what the jar holds: for HttpListener, whose commit comes after the response went
    /// out. The session previews after each change, so the last preview is what the commit writes.
    /// </summary>
    public void Preview(SessionKey key, SessionRecord? record)
    {
        Send(record is null ? Expired() : Sealed(key, record));
        _previewed = true;
    }

    // The record under key at now: the one this request wrote, or the one its cookie carried.
    private SessionRecord? Current(SessionKey key, DateTimeOffset now)
    {
        if (!_opened)
        {
            _opened = true;
            _key = key;
            _record = Open(key);
        }
        if (_key != key) return null;
        return _record is { } record && record.ExpiresAt > now ? record : null;
    }

    private SessionRecord? Open(SessionKey key)
    {
        if (string.IsNullOrEmpty(cookieHeader) || cookieHeader.Length > SessionCookie.MaxHeaderLength) return null;
        var candidates = 0;
        foreach (var value in SessionCookie.Values(cookieHeader, store.DataCookieName))
        {
            if (++candidates > RequestCookie.MaxCandidates) break;
            if (!store.Sealer.TryOpen(value, key, out var plaintext, out var current)) continue;
            try
            {
                var record = SessionRecord.FromBytes(plaintext);
                _sealedWithRetiredKey = !current;
                return record;
            }
            catch (FormatException)
            {
                // Sealed by us but unreadable (a later format): no session.
            }
        }
        return null;
    }

    // Seals the record (or expires the cookie) into the response.
    private void Put(SessionKey key, SessionRecord? record)
    {
        _key = key;
        _record = record;
        _sealedWithRetiredKey = false;
        Send(record is null ? Expired() : Sealed(key, record));
    }

    private string Expired() => SessionCookie.Build(store.Cookie, store.DataCookieName, "", secure, TimeSpan.Zero);

    private string Sealed(SessionKey key, SessionRecord record)
    {
        if (store.Revocations is { } revocations) record = revocations.SealableAfterRevocations(record);
        var bytes = new ArrayBufferWriter<byte>(SessionRecordFormat.Length(record.Metadata, record.PackedValues.Length));
        SessionRecordFormat.Write(bytes, record);
        var setCookie = SetCookie(store.Sealer.Seal(bytes.WrittenSpan, key), record.Metadata, record.LastAccess);
        if (setCookie.Length > SessionCookie.BrowserLimit)
            throw new SessionLimitExceededException($"The session's cookie would be {setCookie.Length} bytes, and browsers keep at most {SessionCookie.BrowserLimit}: keep less in the session, or use a server-side store.");
        return setCookie;
    }

    // Persistent sessions get a Max-Age to the session's end, like the session cookie.
    private string SetCookie(string value, SessionMetadata metadata, DateTimeOffset sealedAt)
    {
        TimeSpan? maxAge = metadata.Persistent ? metadata.ExpiresAt(sealedAt) - sealedAt : null;
        return SessionCookie.Build(store.Cookie, store.DataCookieName, value, secure, maxAge);
    }

    private void Send(string setCookie)
    {
        if (response is null) return;
        if (response.HasStarted && _previewed) return;   // the response went out carrying the preview
        if (response.HasStarted)
            throw new InvalidOperationException($"The cookie store writes the session into the response's cookies, but the response has already started. Commit the session (await session.CommitAsync()) before writing the response body.");
        response.Send(store.DataCookieName, setCookie);
    }
}
